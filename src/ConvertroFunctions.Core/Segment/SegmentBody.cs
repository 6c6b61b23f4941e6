using System.Text.Json;
using ConvertroFunctions.Core.Json;

namespace ConvertroFunctions.Core.Segment;

/// <summary>Why a body could not be read, if it could not.</summary>
public enum BodyFailure
{
    None,
    /// <summary>The top level is not readable: not an object or array, truncated, unbalanced, a broken batch envelope.</summary>
    Malformed,
    /// <summary>It holds more events than the cap; it was not split past the cap.</summary>
    TooManyEvents,
}

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
/// A request body cut into its events' raw JSON texts. Only the top level is read as a whole, and
/// tolerantly (<see cref="JsonScanner"/>); each event is parsed strictly on its own when it is
/// <see cref="Read"/>, so a duplicate key, excessive depth or bad escape in one event rejects that
/// event, not the up to 4,000 others Segment sent with it (Segment does not retry a 400). Owns the
/// batch envelope's parsed context and integrations, so dispose it once the events are handled.
/// </summary>
public sealed class SegmentBody : IDisposable
{
    /// <summary>How every answer about an unreadable top level starts.</summary>
    internal const string Malformed = "The body is not valid JSON: ";

    private readonly ReadOnlyMemory<byte> _utf8;
    private readonly List<Range> _spans;
    /// <summary>A batch's shared context and integrations, in <see cref="BatchMerger.MergedKeys"/> order; null when there are none.</summary>
    private readonly JsonElement?[]? _shared;
    private readonly List<JsonDocument> _documents;

    private SegmentBody(BodyShape shape, ReadOnlyMemory<byte> utf8, List<Range> spans, JsonElement?[]? shared, List<JsonDocument> documents)
    {
        Shape = shape;
        _utf8 = utf8;
        _spans = spans;
        _shared = shared;
        _documents = documents;
    }

    /// <summary>A UTF-8 byte order mark: not JSON (RFC 8259 §8.1), but harmless before it, so it is skipped.</summary>
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    public BodyShape Shape { get; }

    /// <summary>How many events the body holds, readable or not.</summary>
    public int Count => _spans.Count;

    /// <summary>
    /// For an array body, the exact raw text of its first element: what Segment signs for a batch.
    /// </summary>
    public ReadOnlyMemory<byte> FirstArrayElement => FirstArrayElementOf(_utf8);

    /// <summary>
    /// The raw text of the first element of an array body, found without splitting the rest (so a
    /// signature can be checked before anything else is done with the body); empty when the body is
    /// not an array, is an empty one, or its first element is cut off.
    /// </summary>
    public static ReadOnlyMemory<byte> FirstArrayElementOf(ReadOnlyMemory<byte> utf8)
    {
        var text = utf8.Span;
        var open = JsonScanner.SkipWhitespace(text, text.StartsWith(ByteOrderMark) ? ByteOrderMark.Length : 0);
        if (open == text.Length || text[open] != '[')
        {
            return ReadOnlyMemory<byte>.Empty;
        }
        var at = JsonScanner.SkipWhitespace(text, open + 1);
        if (at == text.Length || text[at] == ']')
        {
            return ReadOnlyMemory<byte>.Empty;
        }
        var end = JsonScanner.SkipValue(text, at, out _);
        return end == JsonScanner.Truncated ? ReadOnlyMemory<byte>.Empty : utf8[at..end];
    }

    /// <summary>Reads one of the body forms, however many events it holds (<see cref="Parse"/> without a cap).</summary>
    public static bool TryParse(ReadOnlyMemory<byte> utf8, out SegmentBody? body, out string? error) =>
        Parse(utf8, int.MaxValue, out body, out error) == BodyFailure.None;

    /// <summary>
    /// Reads one of the body forms. Fails only when the top level cannot be read (not an object or
    /// array, truncated, unbalanced, garbage between or after events, a broken batch envelope), or
    /// when it holds more than <paramref name="maxEvents"/> events (then nothing past the cap is
    /// split); a problem inside an event is found when that event is read. The input must stay
    /// unchanged while the result lives: raw event texts are slices of it, not copies.
    /// </summary>
    public static BodyFailure Parse(ReadOnlyMemory<byte> utf8, int maxEvents, out SegmentBody? body, out string? error)
    {
        body = null;
        var text = utf8.Span;
        var at = JsonScanner.SkipWhitespace(text, text.StartsWith(ByteOrderMark) ? ByteOrderMark.Length : 0);
        if (at == text.Length)
        {
            error = Malformed + "it is empty.";
            return BodyFailure.Malformed;
        }
        var documents = new List<JsonDocument>();
        error = text[at] switch
        {
            (byte)'[' => ReadArray(utf8, at, documents, maxEvents, out body),
            (byte)'{' => ReadObject(utf8, at, documents, maxEvents, out body),
            _ => $"The body must be a JSON object (one event), an array of events, or {{\"batch\":[…]}}; it starts with {JsonScanner.Describe(text[at])} at byte {at}.",
        };
        var failure = error is not null ? BodyFailure.Malformed : body!.Count > maxEvents ? BodyFailure.TooManyEvents : BodyFailure.None;
        if (failure != BodyFailure.None)
        {
            documents.ForEach(d => d.Dispose());
            body = null;
        }
        return failure;
    }

    /// <summary>
    /// Event <paramref name="index"/> parsed strictly on its own (and, in a batch, merged with the
    /// shared context and integrations). One that cannot be parsed comes back with
    /// <see cref="RawEvent.Unreadable"/> set: over 32 KiB (not even tried), invalid UTF-8, invalid
    /// JSON, a duplicate property name, or nested deeper than <see cref="StrictJson.MaxDepth"/>.
    /// </summary>
    public ParsedEvent Read(int index)
    {
        var utf8 = _utf8[_spans[index]];
        string? error;
        if (utf8.Length > SegmentEventValidator.MaxEventBytes)
        {
            error = SegmentEventValidator.TooLarge(utf8.Length);
        }
        else if (StrictJson.TryParse(utf8, JsonSource.Event, out var document, out error))
        {
            var e = new RawEvent(index, utf8, document!.RootElement);
            if (_shared is null || e.Element.ValueKind != JsonValueKind.Object)
            {
                return new ParsedEvent(e, document);
            }
            using (document)
            {
                return new ParsedEvent(BatchMerger.Merge(e, _shared, out var merged), merged);
            }
        }
        // Rejected, but still with its messageId when the raw text has a readable one.
        var problem = new EventProblem(index, JsonScanner.TopLevelString(utf8.Span, "messageId"u8), [error!]);
        return new ParsedEvent(new RawEvent(index, utf8, default, problem), null);
    }

    public void Dispose()
    {
        foreach (var document in _documents)
        {
            document.Dispose();
        }
    }

    private static string? ReadArray(ReadOnlyMemory<byte> utf8, int open, List<JsonDocument> documents, int maxEvents, out SegmentBody? body)
    {
        body = null;
        var spans = new List<Range>();
        var problem = ArraySplitter.Split(utf8.Span, open, spans, out var end, maxEvents)
            ?? (spans.Count > maxEvents ? null : AfterTheEnd(utf8.Span, end, "array"));
        if (problem is not null)
        {
            return Malformed + problem + ".";
        }
        body = new SegmentBody(BodyShape.Array, utf8, spans, null, documents);
        return null;
    }

    /// <summary>A single event, or the batch envelope when the object has a top-level <c>batch</c>.</summary>
    private static string? ReadObject(ReadOnlyMemory<byte> utf8, int open, List<JsonDocument> documents, int maxEvents, out SegmentBody? body)
    {
        body = null;
        var text = utf8.Span;
        var end = -1;
        List<(Range Name, Range Value)>? members = null;
        // Only a walk of the members finds a top-level "batch". An object holding neither those bytes
        // nor an escape that could spell them has none, and that is most events: one scan finds its end.
        if (text[open..].IndexOf("\"batch\""u8) >= 0 || text[open..].IndexOf((byte)'\\') >= 0)
        {
            var found = ReadMembers(text, open, out end, out var error);
            if (found is not null && error is not null)
            {
                return Malformed + error + ".";
            }
            members = found;
        }
        if (end < 0)
        {
            // Not read member by member, or not readable so, but still one event if its brackets
            // balance: its own strict parse says what is wrong inside it.
            end = JsonScanner.SkipValue(text, open, out _);
            if (end == JsonScanner.Truncated)
            {
                return Malformed + $"it ends at byte {text.Length}, before the object that starts at byte {open} is closed.";
            }
            if (!JsonScanner.Matches(text[open], text[end - 1]))
            {
                return Malformed + $"the object that starts at byte {open} is closed by {JsonScanner.Describe(text[end - 1])} at byte {end - 1}.";
            }
        }
        if (AfterTheEnd(text, end, "object") is { } trailing)
        {
            return Malformed + trailing + ".";
        }
        var spans = new List<Range>();
        if (members is not null)
        {
            var error = BatchEnvelope.Read(utf8, members, documents, spans, maxEvents, out var shared);
            body = error is null ? new SegmentBody(BodyShape.Batch, utf8, spans, shared, documents) : null;
            return error;
        }
        spans.Add(open..end);
        body = new SegmentBody(BodyShape.SingleEvent, utf8, spans, null, documents);
        return null;
    }

    /// <summary>
    /// The object's members when one of them is named <c>batch</c>, else null. <paramref name="end"/>
    /// is just after the object, or -1 when it could not be read member by member (then
    /// <paramref name="error"/> says why).
    /// </summary>
    private static List<(Range Name, Range Value)>? ReadMembers(ReadOnlySpan<byte> text, int open, out int end, out string? error)
    {
        var reader = new MemberReader(text, open);
        var members = new List<(Range Name, Range Value)>();
        var isBatch = false;
        while (reader.TryNext(out var name, out var value))
        {
            members.Add((name, value));
            isBatch |= JsonScanner.NameIs(text[name], "batch"u8);
        }
        end = reader.End;
        error = reader.Error;
        return isBatch ? members : null;
    }

    private static string? AfterTheEnd(ReadOnlySpan<byte> text, int end, string what)
    {
        var at = JsonScanner.SkipWhitespace(text, end);
        return at == text.Length ? null : $"unexpected {JsonScanner.Describe(text[at])} at byte {at}, after the end of the {what}";
    }
}
