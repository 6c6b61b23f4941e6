using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ConvertroFunctions.Core.Json;

/// <summary>
/// Why a text failed <see cref="StrictJson"/>, in words a sender can act on: which property appears
/// twice and where, how deep it nests, which escape is invalid at which byte. Runs only after a
/// failure, so valid texts pay nothing for it.
/// </summary>
internal static class StrictJsonProblem
{
    private static readonly SearchValues<byte> QuoteOrBackslash = SearchValues.Create("\"\\"u8);

    /// <summary>What may follow a backslash, besides <c>u</c> and four hex digits.</summary>
    private static readonly SearchValues<byte> Escaped = SearchValues.Create("\"\\/bfnrt"u8);

    private static readonly SearchValues<byte> HexDigits = SearchValues.Create("0123456789abcdefABCDEF"u8);

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
        var at = Offset(text, grammar.LineNumber ?? 0, grammar.BytePositionInLine ?? 0);
        var escape = FirstInvalidEscape(text);
        if (escape >= 0 && escape <= at)
        {
            return $"{source.Name}: invalid escape {ShowEscape(text[escape..])} at byte {source.Start + escape} of {source.Whole}.";
        }
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

    /// <summary>The offset of the backslash of the first escape JSON does not allow, or -1.</summary>
    private static int FirstInvalidEscape(ReadOnlySpan<byte> text)
    {
        var inString = false;
        for (var at = 0; at < text.Length; )
        {
            var i = inString ? text[at..].IndexOfAny(QuoteOrBackslash) : text[at..].IndexOf((byte)'"');
            if (i < 0)
            {
                return -1;
            }
            at += i;
            if (text[at] == '"')
            {
                inString = !inString;
                at++;
                continue;
            }
            if (at + 1 < text.Length && !IsValidEscape(text[(at + 1)..]))
            {
                return at;
            }
            at += 2;
        }
        return -1;
    }

    private static bool IsValidEscape(ReadOnlySpan<byte> afterBackslash) => afterBackslash[0] == 'u'
        ? afterBackslash.Length >= 5 && afterBackslash[1..5].IndexOfAnyExcept(HexDigits) < 0
        : Escaped.Contains(afterBackslash[0]);

    /// <summary>The escape as written (<c>"\q"</c>, <c>"\u12G4"</c>), or its bytes described when not printable.</summary>
    private static string ShowEscape(ReadOnlySpan<byte> escape)
    {
        var shown = escape[..Math.Min(escape[1] == 'u' ? 6 : 2, escape.Length)];
        return shown.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) < 0
            ? $"\"{Encoding.ASCII.GetString(shown)}\""
            : $"'\\' followed by {JsonScanner.Describe(escape[1])}";
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
