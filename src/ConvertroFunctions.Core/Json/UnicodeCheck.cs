using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace ConvertroFunctions.Core.Json;

/// <summary>
/// JSON text must be UTF-8 (RFC 8259 §8.1) and its strings valid Unicode. Segment never sends
/// otherwise, but an event that does would fail later, at mapping or when writing Convertro's JSON,
/// so ingest refuses it up front with the place named.
/// </summary>
public static class UnicodeCheck
{
    /// <returns>-1 when <paramref name="utf8"/> is valid UTF-8, else the offset of the first byte that does not start a valid character.</returns>
    public static int FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        if (Utf8.IsValid(utf8))
        {
            return -1;
        }
        var offset = 0;
        while (Rune.DecodeFromUtf8(utf8[offset..], out _, out var consumed) == System.Buffers.OperationStatus.Done)
        {
            offset += consumed;
        }
        return offset;
    }

    /// <summary>The error for a string at <paramref name="where"/> with an unpaired surrogate escape.</summary>
    public static string SurrogateProblem(string where) =>
        $"{where}: holds an unpaired UTF-16 surrogate escape (\\uD800–\\uDFFF on its own), which is not valid Unicode text.";

    /// <summary>
    /// The path of the first string or property name holding an unpaired surrogate escape
    /// (<c>\uD800</c>–<c>\uDFFF</c> on its own), or null. Only texts that have such an escape (as
    /// <see cref="JsonScanner.AnyEscape"/> finds it in the raw text) are walked, so valid events pay
    /// for one byte search, or one scan when they have escapes.
    /// </summary>
    /// <param name="root">What the top level is called in the answer ("event", "body").</param>
    public static string? UnpairedSurrogate(JsonElement e, ReadOnlySpan<byte> raw, string root = "event") =>
        UnpairedSurrogate(e, raw, root, root);

    /// <param name="path">The path of <paramref name="e"/> itself.</param>
    /// <param name="root">The path whose fields are named on their own (see <see cref="JsonWalk"/>).</param>
    internal static string? UnpairedSurrogate(JsonElement e, ReadOnlySpan<byte> raw, string path, string root) =>
        HasUnpairedSurrogateEscape(raw)
            ? JsonWalk.First(e, path, root, (value, at) => value.ValueKind == JsonValueKind.String && !Decodes(value) ? at : null, at => at)
            : null;

    /// <summary>Whether a string of <paramref name="raw"/> has a surrogate escape that is not half of a pair.</summary>
    internal static bool HasUnpairedSurrogateEscape(ReadOnlySpan<byte> raw)
    {
        var unpaired = default(UnpairedSurrogateEscape);
        return JsonScanner.AnyEscape(raw, ref unpaired);
    }

    private static bool Decodes(JsonElement value)
    {
        try
        {
            value.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}

/// <summary>
/// Stops at a <c>\uD800</c>–<c>\uDBFF</c> escape not followed by a <c>\uDC00</c>–<c>\uDFFF</c> one,
/// or a <c>\uDC00</c>–<c>\uDFFF</c> escape that does not follow one of those.
/// </summary>
internal struct UnpairedSurrogateEscape : IEscapeVisitor
{
    /// <summary>Where the low half of the last pair starts: passed, not judged again.</summary>
    private int _lowHalfAt;

    public bool Stop(ReadOnlySpan<byte> text, int backslash)
    {
        if (backslash == _lowHalfAt && backslash > 0)
        {
            return false;
        }
        switch (Surrogate(text, backslash))
        {
            case 1 when Surrogate(text, backslash + 6) == 2:
                _lowHalfAt = backslash + 6;
                return false;
            case 0:
                return false;
            default:
                return true;
        }
    }

    /// <summary>1 when a high surrogate escape starts at <paramref name="at"/>, 2 for a low one, else 0.</summary>
    private static int Surrogate(ReadOnlySpan<byte> text, int at)
    {
        if (at + 5 >= text.Length || text[at] != '\\' || text[at + 1] != 'u' || (text[at + 2] | 0x20) != 'd')
        {
            return 0;
        }
        return (text[at + 3] | 0x20) switch
        {
            (byte)'8' or (byte)'9' or (byte)'a' or (byte)'b' => 1,
            (byte)'c' or (byte)'d' or (byte)'e' or (byte)'f' => 2,
            _ => 0,
        };
    }
}
