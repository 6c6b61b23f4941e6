namespace ConvertroFunctions.Core.Json;

/// <summary>
/// A top-level array of events cut into each element's raw span with <see cref="JsonScanner"/>,
/// without parsing any of them: whatever is wrong inside one event is found when that event alone is
/// parsed, and rejects it alone. What is wrong between events (a missing or extra comma, garbage, an
/// array that never closes) leaves no way to tell where events start, so it fails the whole array.
/// Splitting stops one element past <c>maxElements</c>: a body over the cap costs no more than one at it.
/// </summary>
internal static class ArraySplitter
{
    /// <param name="text">The text, ending where the array must end at the latest.</param>
    /// <param name="open">The index of the array's <c>[</c>.</param>
    /// <param name="elements">Receives each element's span in <paramref name="text"/>.</param>
    /// <param name="end">The index just after the array's <c>]</c>; -1 when splitting stopped past the cap.</param>
    /// <param name="maxElements">
    /// The cap: once <paramref name="elements"/> holds one more than this, splitting stops (the
    /// caller sees the count over the cap) and the rest of the array is not read.
    /// </param>
    /// <returns>Null when the array was split (or stopped past the cap), else what is wrong and where.</returns>
    public static string? Split(ReadOnlySpan<byte> text, int open, List<Range> elements, out int end, int maxElements = int.MaxValue)
    {
        end = -1;
        var at = JsonScanner.SkipWhitespace(text, open + 1);
        if (at < text.Length && text[at] == ']')
        {
            end = at + 1;
            return null;
        }
        while (true)
        {
            var index = elements.Count;
            var elementEnd = at == text.Length ? at : JsonScanner.SkipValue(text, at, out _);
            if (elementEnd == JsonScanner.Truncated)
            {
                return $"it ends at byte {text.Length}, inside event {index} (which starts at byte {at})";
            }
            if (elementEnd == at)
            {
                var trailingComma = index > 0 && at < text.Length && text[at] == ']' ? " (a comma after the last event?)" : string.Empty;
                return JsonScanner.Expected(text, at, $"event {index}") + trailingComma;
            }
            if (text[at] is (byte)'{' or (byte)'[' && !JsonScanner.Matches(text[at], text[elementEnd - 1]))
            {
                return $"event {index} opens with {JsonScanner.Describe(text[at])} at byte {at} but {JsonScanner.Describe(text[elementEnd - 1])} at byte {elementEnd - 1} closes it";
            }
            elements.Add(at..elementEnd);
            if (elements.Count > maxElements)
            {
                return null;
            }
            at = JsonScanner.SkipWhitespace(text, elementEnd);
            if (at < text.Length && text[at] == ']')
            {
                end = at + 1;
                return null;
            }
            if (at == text.Length || text[at] != ',')
            {
                return JsonScanner.Expected(text, at, $"',' or ']' after event {index}");
            }
            at = JsonScanner.SkipWhitespace(text, at + 1);
        }
    }
}
