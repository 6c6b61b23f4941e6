using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ConvertroFunctions.Core.Segment;

/// <summary>The three body forms Segment sends.</summary>
public enum BodyShape
{
    /// <summary>One event object.</summary>
    SingleEvent,
    /// <summary>A bare JSON array of events (Webhooks (Actions) batching).</summary>
    Array,
    /// <summary><c>{"batch":[…]}</c>, the HTTP Tracking API batch shape.</summary>
    Batch,
}

/// <summary>
/// A parsed request body: every event with its raw JSON text. Owns the parsed documents, so
/// dispose it once the events have been validated and enqueued.
/// </summary>
public sealed class SegmentBody : IDisposable
{
    private readonly List<JsonDocument> _documents;

    private SegmentBody(BodyShape shape, IReadOnlyList<RawEvent> events, List<JsonDocument> documents)
    {
        Shape = shape;
        Events = events;
        _documents = documents;
    }

    public BodyShape Shape { get; }

    public IReadOnlyList<RawEvent> Events { get; }

    /// <summary>
    /// For an array body, the exact raw text of its first element: what Segment signs for a batch.
    /// </summary>
    public ReadOnlyMemory<byte> FirstArrayElement =>
        Shape == BodyShape.Array && Events.Count > 0 ? Events[0].Utf8 : ReadOnlyMemory<byte>.Empty;

    /// <summary>
    /// Parses one of the body forms. The input must stay unchanged while the result lives: raw
    /// event texts are slices of it, not copies.
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> utf8, out SegmentBody? body, out string? error)
    {
        body = null;
        if (!StrictJson.TryParse(utf8, out var document, out error))
        {
            return false;
        }

        var root = document!.RootElement;
        var documents = new List<JsonDocument> { document };
        switch (root.ValueKind)
        {
            case JsonValueKind.Array:
                body = new SegmentBody(BodyShape.Array, ArrayEvents(utf8, root), documents);
                break;
            case JsonValueKind.Object when root.TryGetProperty("batch", out var batch):
                if (batch.ValueKind != JsonValueKind.Array)
                {
                    document.Dispose();
                    error = "batch: must be an array of events.";
                    return false;
                }
                body = new SegmentBody(BodyShape.Batch, BatchMerger.Merge(utf8, root, batch, documents), documents);
                break;
            case JsonValueKind.Object:
                body = new SegmentBody(BodyShape.SingleEvent, [new RawEvent(0, utf8, root)], documents);
                break;
            default:
                document.Dispose();
                error = "The body must be a JSON object (one event), an array of events, or {\"batch\":[…]}.";
                return false;
        }

        error = null;
        return true;
    }

    public void Dispose()
    {
        foreach (var document in _documents)
        {
            document.Dispose();
        }
    }

    private static RawEvent[] ArrayEvents(ReadOnlyMemory<byte> utf8, JsonElement array)
    {
        var events = new RawEvent[array.GetArrayLength()];
        var i = 0;
        foreach (var element in array.EnumerateArray())
        {
            events[i] = new RawEvent(i, RawSlice(utf8, element), element);
            i++;
        }
        return events;
    }

    /// <summary>
    /// The raw bytes of <paramref name="element"/> as a slice of <paramref name="source"/>:
    /// JsonDocument parses a ReadOnlyMemory in place, so the element's raw span lies inside it.
    /// </summary>
    internal static ReadOnlyMemory<byte> RawSlice(ReadOnlyMemory<byte> source, JsonElement element)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        var offset = Unsafe.ByteOffset(
            ref MemoryMarshal.GetReference(source.Span), ref MemoryMarshal.GetReference(raw));
        return offset >= 0 && offset + raw.Length <= source.Length
            ? source.Slice((int)offset, raw.Length)
            : raw.ToArray();
    }
}
