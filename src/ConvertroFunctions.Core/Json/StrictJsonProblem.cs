using System.Text.Json;

namespace ConvertroFunctions.Core.Json;

/// <summary>
/// Why a text failed <see cref="StrictJson"/>, in words a sender can act on: which property appears
/// twice and where, how deep it nests, what the reader found wrong at which byte (a bad escape
/// among them). Runs only after a failure, so valid texts pay nothing for it.
/// </summary>
internal static class StrictJsonProblem
{
    public static string Explain(ReadOnlyMemory<byte> utf8, JsonSource source, Exception failure, JsonDocumentOptions strict)
    {
        JsonDocument lenient;
        try
        {
            lenient = JsonDocument.Parse(utf8, strict with { AllowDuplicateProperties = true });
        }
        catch (JsonException grammar)
        {
            return Grammar(utf8.Span, source, grammar, strict.MaxDepth);
        }
        using (lenient)
        {
            var root = lenient.RootElement;
            if (UnicodeCheck.UnpairedSurrogate(root, utf8.Span, source.Name, source.Root) is { } where)
            {
                return UnicodeCheck.SurrogateProblem(where);
            }
            if (JsonWalk.First(root, source.Name, source.Root, (e, path) => Duplicate(e, path, source), _ => null) is { } duplicate)
            {
                return duplicate;
            }
        }
        return $"{source.Name}: is not valid JSON: {Sentence(failure.Message)}";
    }

    private static string? Duplicate(JsonElement e, string path, JsonSource source)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in e.EnumerateObject())
        {
            if (!names.Add(property.Name))
            {
                var where = path == source.Name ? string.Empty : " in " + path;
                return $"{source.Name}: property \"{property.Name}\" appears twice{where}; which one counts is undefined.";
            }
        }
        return null;
    }

    private static string Grammar(ReadOnlySpan<byte> text, JsonSource source, JsonException grammar, int maxDepth)
    {
        var start = JsonScanner.SkipWhitespace(text, 0);
        var depth = 0;
        if (start < text.Length)
        {
            JsonScanner.SkipValue(text, start, out depth);
        }
        if (depth > maxDepth)
        {
            return $"{source.Name}: nested deeper than {maxDepth} levels ({depth}).";
        }
        // The reader's own message and position name a bad escape ("'q' is an invalid escapable
        // character within a JSON string"), at the byte after the backslash.
        var at = Offset(text, grammar.LineNumber ?? 0, grammar.BytePositionInLine ?? 0);
        return $"{source.Name}: is not valid JSON at byte {source.Start + at} of {source.Whole}: {Sentence(grammar.Message)}";
    }

    /// <summary>System.Text.Json counts lines and bytes within a line; the sender wants the byte offset.</summary>
    private static int Offset(ReadOnlySpan<byte> text, long line, long byteInLine)
    {
        var lineStart = 0;
        for (var l = 0L; l < line; l++)
        {
            var newline = text[lineStart..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }
            lineStart += newline + 1;
        }
        return (int)Math.Min(text.Length, lineStart + byteInLine);
    }

    /// <summary>System.Text.Json's message without its line/position suffix, which the caller replaces.</summary>
    private static string Sentence(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        }
        return (cut < 0 ? message : message[..cut]).TrimEnd(' ', '|');
    }
}
