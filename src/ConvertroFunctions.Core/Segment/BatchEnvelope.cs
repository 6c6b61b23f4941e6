using System.Text.Json;
using ConvertroFunctions.Core.Json;

namespace ConvertroFunctions.Core.Segment;

/// <summary>
/// The HTTP Tracking API's <c>{"batch":[…],"context":{…},"integrations":{…}}</c>. The envelope is
/// the top level, so it is read strictly (names unique, every value other than the batch parsed
/// strictly once), and any problem in it fails the body; the batch's events are split like an array
/// body's, to be parsed one by one and merged with the shared context and integrations.
/// </summary>
internal static class BatchEnvelope
{
    /// <param name="members">The envelope's members, as <see cref="MemberReader"/> found them in <paramref name="utf8"/>.</param>
    /// <param name="documents">Receives the parsed shared values, to dispose with the body.</param>
    /// <param name="spans">Receives each batch item's span in <paramref name="utf8"/>.</param>
    /// <param name="shared">The top-level object for each of <see cref="BatchMerger.MergedKeys"/>; null when there is none to merge.</param>
    /// <param name="maxEvents">The cap on batch items (<see cref="ArraySplitter.Split"/> stops one past it).</param>
    /// <returns>Null when read, else what is wrong with the envelope and where.</returns>
    public static string? Read(ReadOnlyMemory<byte> utf8, List<(Range Name, Range Value)> members,
        List<JsonDocument> documents, List<Range> spans, int maxEvents, out JsonElement?[]? shared)
    {
        var text = utf8.Span;
        var names = new HashSet<string>(StringComparer.Ordinal);
        shared = new JsonElement?[BatchMerger.MergedKeys.Length];
        Range batch = default;
        foreach (var (nameSpan, valueSpan) in members)
        {
            var name = JsonScanner.DecodeString(text[nameSpan]);
            if (name is null)
            {
                return SegmentBody.Malformed + $"the property name at byte {nameSpan.Start.Value} is not valid text (invalid UTF-8, an invalid escape or an unpaired surrogate escape).";
            }
            if (!names.Add(name))
            {
                return SegmentBody.Malformed + $"property \"{name}\" appears twice at the top level; which one counts is undefined.";
            }
            if (name == "batch")
            {
                if (text[valueSpan.Start] != '[')
                {
                    return "batch: must be an array of events.";
                }
                batch = valueSpan;
            }
            else
            {
                var k = Array.IndexOf(BatchMerger.MergedKeys, name);
                var source = JsonSource.Member(name, valueSpan.Start.Value);
                if (ReadValue(utf8[valueSpan], source, k >= 0 ? documents : null, out var element) is { } problem)
                {
                    return problem;
                }
                if (k >= 0)
                {
                    shared[k] = element;
                }
            }
        }

        if (Array.TrueForAll(shared, s => s is null))
        {
            shared = null;
        }
        return ArraySplitter.Split(text[..batch.End], batch.Start.Value, spans, out _, maxEvents) is { } split
            ? SegmentBody.Malformed + "batch: " + split + "."
            : null;
    }

    /// <summary>
    /// Parses a top-level value other than the batch. An object to merge is kept (in
    /// <paramref name="keep"/>) once it is known free of unpaired surrogates, which would otherwise
    /// reach every event; anything else is only checked.
    /// </summary>
    private static string? ReadValue(ReadOnlyMemory<byte> utf8, JsonSource source, List<JsonDocument>? keep, out JsonElement? element)
    {
        element = null;
        if (!StrictJson.TryParse(utf8, source, out var document, out var error))
        {
            return SegmentBody.Malformed + error;
        }
        var root = document!.RootElement;
        if (keep is null || root.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return null;
        }
        keep.Add(document);
        if (UnicodeCheck.UnpairedSurrogate(root, utf8.Span, source.Name, source.Root) is { } where)
        {
            return SegmentBody.Malformed + UnicodeCheck.SurrogateProblem(where);
        }
        element = root;
        return null;
    }
}
