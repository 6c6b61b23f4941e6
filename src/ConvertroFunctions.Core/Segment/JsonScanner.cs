using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace ConvertroFunctions.Core.Segment;

/// <summary>
/// A tolerant JSON scanner: it finds where a value ends by tracking only strings (with their escapes)
/// and bracket nesting, so one event's duplicate keys, depth, bad escapes or invalid UTF-8 never stop
/// it from finding the next event. It judges nothing inside a value; <see cref="StrictJson"/> does,
/// event by event. String contents and the text between brackets are skipped with vectorized searches,
/// depth is a counter (10,000 levels cost no stack), and nothing is allocated.
/// </summary>
internal static class JsonScanner
{
    public const int Truncated = -1;

    private static readonly SearchValues<byte> QuoteOrBackslash = SearchValues.Create("\"\\"u8);

    private static readonly SearchValues<byte> Structural = SearchValues.Create("\"{}[]"u8);

    private static readonly SearchValues<byte> TokenEnd = SearchValues.Create("\"{}[],: \t\r\n"u8);

    private static readonly SearchValues<byte> Whitespace = SearchValues.Create(" \t\r\n"u8);

    /// <summary>The first index at or after <paramref name="at"/> that is not JSON whitespace, or the length.</summary>
    public static int SkipWhitespace(ReadOnlySpan<byte> text, int at)
    {
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
                return SkipContainer(text, at, out depth);
            default:
                var end = text[at..].IndexOfAny(TokenEnd);
                return end < 0 ? text.Length : at + end;
        }
    }

    /// <summary>The index just after the string whose opening quote is at <paramref name="quote"/>, or <see cref="Truncated"/>.</summary>
    public static int SkipString(ReadOnlySpan<byte> text, int quote)
    {
        var at = quote + 1;
        while (at < text.Length)
        {
            var i = text[at..].IndexOfAny(QuoteOrBackslash);
            if (i < 0)
            {
                return Truncated;
            }
            at += i;
            if (text[at] == '"')
            {
                return at + 1;
            }
            // Whatever follows a backslash is escaped, a quote included; whether the escape is valid is for the parser.
            at += 2;
        }
        return Truncated;
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

    private static int SkipContainer(ReadOnlySpan<byte> text, int at, out int maxDepth)
    {
        var depth = 0;
        maxDepth = 0;
        while (true)
        {
            var i = text[at..].IndexOfAny(Structural);
            if (i < 0)
            {
                return Truncated;
            }
            at += i;
            switch (text[at])
            {
                case (byte)'"':
                    at = SkipString(text, at);
                    if (at == Truncated)
                    {
                        return Truncated;
                    }
                    break;
                case (byte)'{' or (byte)'[':
                    maxDepth = Math.Max(maxDepth, ++depth);
                    at++;
                    break;
                default:
                    at++;
                    if (--depth == 0)
                    {
                        return at;
                    }
                    break;
            }
        }
    }
}
