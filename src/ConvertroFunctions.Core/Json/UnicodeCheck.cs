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
    /// (<c>\uD800</c>–<c>\uDFFF</c> on its own), or null. Only texts that have such an escape are
    /// walked, so valid events pay for one byte search.
    /// </summary>
    /// <param name="root">What the top level is called in the answer ("event", "body").</param>
    public static string? UnpairedSurrogate(JsonElement e, ReadOnlySpan<byte> raw, string root = "event") =>
        UnpairedSurrogate(e, raw, root, root);

    /// <param name="path">The path of <paramref name="e"/> itself.</param>
    /// <param name="root">The path whose fields are named on their own (see <see cref="JsonWalk"/>).</param>
    internal static string? UnpairedSurrogate(JsonElement e, ReadOnlySpan<byte> raw, string path, string root) =>
        MayHaveSurrogateEscape(raw)
            ? JsonWalk.First(e, path, root, (value, at) => value.ValueKind == JsonValueKind.String && !Decodes(value) ? at : null, at => at)
            : null;

    private static bool MayHaveSurrogateEscape(ReadOnlySpan<byte> raw)
    {
        for (var i = raw.IndexOf("\\u"u8); i >= 0 && i + 3 < raw.Length; )
        {
            if (raw[i + 2] is (byte)'d' or (byte)'D' && raw[i + 3] is >= (byte)'8' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F')
            {
                return true;
            }
            var next = raw[(i + 2)..].IndexOf("\\u"u8);
            i = next < 0 ? -1 : i + 2 + next;
        }
        return false;
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
