using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace ConvertroFunctions.Core.Json;

/// <summary>
/// A tolerant JSON scanner: it finds where a value ends by tracking only strings (with their escapes)
/// and bracket nesting, so one event's duplicate keys, depth, bad escapes or invalid UTF-8 never stop
/// it from finding the next event. It judges nothing inside a value; <see cref="StrictJson"/> does,
/// event by event. Depth is a counter (10,000 levels cost no stack) and nothing is allocated. It is
/// the one walker of strings: <see cref="AnyEscape"/> shows each escape to an
/// <see cref="IEscapeVisitor"/> (how <see cref="UnicodeCheck"/> finds a surrogate escape).
/// </summary>
/// <remarks>
/// Speed: the text is classified 32 (or 16) bytes at a time with one vector compare per kind of
/// byte that matters (<c>"</c>, <c>\</c>, brackets); runs with none of them, string contents and
/// whitespace alike, cost one step per block, and only the bytes that matter are looked at one by
/// one. Splitting an array costs well under parsing its events (bench/ConvertroFunctions.Benchmarks,
/// SplitBenchmarks; docs/performance.md).
/// </remarks>
internal static class JsonScanner
{
    public const int Truncated = -1;

    private static readonly SearchValues<byte> TokenEnd = SearchValues.Create("\"{}[],: \t\r\n"u8);

    private static readonly SearchValues<byte> Whitespace = SearchValues.Create(" \t\r\n"u8);

    /// <summary>The first index at or after <paramref name="at"/> that is not JSON whitespace, or the length.</summary>
    public static int SkipWhitespace(ReadOnlySpan<byte> text, int at)
    {
        // Compact JSON, what Segment sends, has none: answer that without a search.
        if (at < text.Length && text[at] > (byte)' ')
        {
            return at;
        }
        var i = text[at..].IndexOfAnyExcept(Whitespace);
        return i < 0 ? text.Length : at + i;
    }

    /// <summary>
    /// The index just after the value starting at <paramref name="at"/> (an object, array, string or
    /// bare token), or <see cref="Truncated"/> when the text ends inside it. <paramref name="depth"/>
    /// is how deep its brackets nest (0 for a string or token).
    /// </summary>
    public static int SkipValue(ReadOnlySpan<byte> text, int at, out int depth)
    {
        depth = 0;
        switch (text[at])
        {
            case (byte)'"':
                return SkipString(text, at);
            case (byte)'{' or (byte)'[':
                var none = default(NoEscapes);
                return Scan(text, at, inString: false, ref none, out depth);
            default:
                var end = text[at..].IndexOfAny(TokenEnd);
                return end < 0 ? text.Length : at + end;
        }
    }

    /// <summary>The index just after the string whose opening quote is at <paramref name="quote"/>, or <see cref="Truncated"/>.</summary>
    public static int SkipString(ReadOnlySpan<byte> text, int quote)
    {
        var none = default(NoEscapes);
        return Scan(text, quote + 1, inString: true, ref none, out _);
    }

    /// <summary>Whether <paramref name="close"/> is the bracket that ends a value opened by <paramref name="open"/>.</summary>
    public static bool Matches(byte open, byte close) =>
        (open == '{' && close == '}') || (open == '[' && close == ']');

    /// <summary>A byte for a message: the character itself when it is printable ASCII, else its hex value.</summary>
    public static string Describe(byte b) => b is >= 0x20 and < 0x7F ? $"'{(char)b}'" : $"0x{b:X2}";

    /// <summary>"expected {what} at byte N, found …" for an answer that says what and where.</summary>
    public static string Expected(ReadOnlySpan<byte> text, int at, string what) => at < text.Length
        ? $"expected {what} at byte {at}, found {Describe(text[at])}"
        : $"it ends at byte {at}, where {what} should be";

    /// <summary>
    /// A JSON string's text (<paramref name="quoted"/> includes its quotes), or null when it is not
    /// valid text: invalid UTF-8, an invalid escape or an unpaired surrogate escape.
    /// </summary>
    public static string? DecodeString(ReadOnlySpan<byte> quoted)
    {
        if (quoted.IndexOf((byte)'\\') < 0)
        {
            return Utf8.IsValid(quoted) ? Encoding.UTF8.GetString(quoted[1..^1]) : null;
        }
        try
        {
            var reader = new Utf8JsonReader(quoted);
            return Utf8.IsValid(quoted) && reader.Read() && reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// The value of the string member <paramref name="name"/> at the top of the object
    /// <paramref name="json"/>, read without parsing it: how a rejected event's messageId is still
    /// reported when the event itself cannot be parsed. Null when absent, not a string, or not text.
    /// </summary>
    public static string? TopLevelString(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        var at = SkipWhitespace(json, 0);
        if (at == json.Length || json[at] != '{')
        {
            return null;
        }
        var members = new MemberReader(json, at);
        while (members.TryNext(out var key, out var value))
        {
            if (NameIs(json[key], name))
            {
                return json[value.Start] == '"' ? DecodeString(json[value]) : null;
            }
        }
        return null;
    }

    /// <summary>
    /// Whether the property name <paramref name="quoted"/> (with its quotes) is <paramref name="name"/>:
    /// compared as raw bytes, and decoded only when it has an escape.
    /// </summary>
    public static bool NameIs(ReadOnlySpan<byte> quoted, ReadOnlySpan<byte> name) =>
        quoted[1..^1].SequenceEqual(name)
        || (quoted.IndexOf((byte)'\\') >= 0 && DecodeString(quoted) is { } decoded && Encoding.UTF8.GetBytes(decoded).AsSpan().SequenceEqual(name));

    /// <summary>
    /// Walks every string of the value that starts <paramref name="text"/> (after whitespace),
    /// showing <paramref name="escapes"/> each escape, until it says stop: the one string walker, the
    /// same that finds where a value ends. Whether an escape is valid is for the strict parse.
    /// </summary>
    /// <returns>Whether <paramref name="escapes"/> stopped the walk.</returns>
    public static bool AnyEscape<TEscapes>(ReadOnlySpan<byte> text, ref TEscapes escapes)
        where TEscapes : struct, IEscapeVisitor
    {
        var at = SkipWhitespace(text, 0);
        if (at == text.Length || text[at..].IndexOf((byte)'\\') < 0)
        {
            return false;
        }
        return text[at] switch
        {
            (byte)'"' => Scan(text, at + 1, inString: true, ref escapes, out _) == Stopped,
            (byte)'{' or (byte)'[' => Scan(text, at, inString: false, ref escapes, out _) == Stopped,
            _ => false,
        };
    }

    /// <summary>What <see cref="Scan"/> returns when its <see cref="IEscapeVisitor"/> stopped it.</summary>
    private const int Stopped = -2;

    /// <summary>
    /// From <paramref name="at"/> (inside a string, or at an opening bracket) to just after the end
    /// of that string or bracket: whatever follows a backslash in a string is escaped, a quote
    /// included, and each such backslash is shown to <paramref name="escapes"/>.
    /// </summary>
    private static int Scan<TEscapes>(ReadOnlySpan<byte> text, int at, bool inString, ref TEscapes escapes, out int maxDepth)
        where TEscapes : struct, IEscapeVisitor
    {
        var depth = 0;
        maxDepth = 0;
        var escapedUntil = at;
        while (at < text.Length)
        {
            var block = Math.Min(BlockBytes, text.Length - at);
            for (var mask = Significant(text.Slice(at, block)); mask != 0; mask &= mask - 1)
            {
                var p = at + BitOperations.TrailingZeroCount(mask);
                if (p < escapedUntil)
                {
                    continue;
                }
                switch (text[p])
                {
                    case (byte)'"':
                        if (inString && depth == 0)
                        {
                            return p + 1;
                        }
                        inString = !inString;
                        break;
                    case (byte)'\\':
                        if (inString)
                        {
                            if (escapes.Stop(text, p))
                            {
                                return Stopped;
                            }
                            escapedUntil = p + 2;
                        }
                        break;
                    case (byte)'{' or (byte)'[':
                        if (!inString && ++depth > maxDepth)
                        {
                            maxDepth = depth;
                        }
                        break;
                    default:
                        if (!inString && --depth == 0)
                        {
                            return p + 1;
                        }
                        break;
                }
            }
            at += block;
        }
        return Truncated;
    }

    private static int BlockBytes => Vector256.IsHardwareAccelerated ? 32 : 16;

    /// <summary>A bit for each quote, backslash or bracket in <paramref name="block"/> (at most <see cref="BlockBytes"/> long).</summary>
    private static uint Significant(ReadOnlySpan<byte> block)
    {
        if (Vector256.IsHardwareAccelerated && block.Length == 32)
        {
            var v = Vector256.Create(block);
            // '{' and '[' differ only in bit 0x20, as do '}' and ']'.
            var folded = v | Vector256.Create((byte)0x20);
            return (Vector256.Equals(v, Vector256.Create((byte)'"')) | Vector256.Equals(v, Vector256.Create((byte)'\\'))
                | Vector256.Equals(folded, Vector256.Create((byte)'{')) | Vector256.Equals(folded, Vector256.Create((byte)'}')))
                .ExtractMostSignificantBits();
        }
        if (block.Length == 16)
        {
            var v = Vector128.Create(block);
            var folded = v | Vector128.Create((byte)0x20);
            return (Vector128.Equals(v, Vector128.Create((byte)'"')) | Vector128.Equals(v, Vector128.Create((byte)'\\'))
                | Vector128.Equals(folded, Vector128.Create((byte)'{')) | Vector128.Equals(folded, Vector128.Create((byte)'}')))
                .ExtractMostSignificantBits();
        }
        var mask = 0u;
        for (var i = 0; i < block.Length; i++)
        {
            if (block[i] is (byte)'"' or (byte)'\\' || (block[i] | 0x20) is '{' or '}')
            {
                mask |= 1u << i;
            }
        }
        return mask;
    }
}

/// <summary>What <see cref="JsonScanner.AnyEscape"/> shows each escape in a string to.</summary>
internal interface IEscapeVisitor
{
    /// <summary>Whether to stop at the escape whose backslash is at <paramref name="backslash"/> in <paramref name="text"/>.</summary>
    bool Stop(ReadOnlySpan<byte> text, int backslash);
}

/// <summary>Finding where a value ends looks at no escape.</summary>
internal struct NoEscapes : IEscapeVisitor
{
    public readonly bool Stop(ReadOnlySpan<byte> text, int backslash) => false;
}
