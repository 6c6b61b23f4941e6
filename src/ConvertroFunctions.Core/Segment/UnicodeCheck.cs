using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace ConvertroFunctions.Core.Segment;

/// <summary>
/// JSON text must be UTF-8 (RFC 8259 §8.1) and its strings valid Unicode. Segment never sends
/// otherwise, but a body that does would fail later, at mapping or when writing Convertro's JSON,
/// so ingest refuses it up front with the place named.
/// </summary>
public static class UnicodeCheck
{
    /// <returns>null when <paramref name="utf8"/> is valid UTF-8, else where the first bad byte is.</returns>
    public static string? InvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        if (Utf8.IsValid(utf8))
        {
            return null;
        }
        var offset = 0;
        while (Rune.DecodeFromUtf8(utf8[offset..], out _, out var consumed) == System.Buffers.OperationStatus.Done)
        {
            offset += consumed;
        }
        return $"The body is not valid UTF-8 (JSON must be): the byte at offset {offset} (0x{utf8[offset]:X2}) does not start a valid character.";
    }

    /// <summary>
    /// The path of the first string or property name holding an unpaired surrogate escape
    /// (<c>\uD800</c>–<c>\uDFFF</c> on its own), or null. Only events whose raw text has such an
    /// escape are walked, so valid events pay for one byte search.
    /// </summary>
    /// <summary>The error for a string at <paramref name="where"/> with an unpaired surrogate escape.</summary>
    public static string SurrogateProblem(string where) =>
        $"{where}: holds an unpaired UTF-16 surrogate escape (\\uD800–\\uDFFF on its own), which is not valid Unicode text.";

    /// <param name="root">What the top level is called in the answer ("event", "body").</param>
    public static string? UnpairedSurrogate(JsonElement e, ReadOnlySpan<byte> raw, string root = "event") =>
        MayHaveSurrogateEscape(raw) ? Find(e, root, root) : null;

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

    private static string? Find(JsonElement element, string path, string root)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Decodes(() => element.GetString()) ? null : path;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string? name = null;
                    if (!Decodes(() => name = property.Name))
                    {
                        return path + ".<a property name>";
                    }
                    if (Find(property.Value, path == root ? name! : $"{path}.{name}", root) is { } found)
                    {
                        return found;
                    }
                }
                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Find(item, $"{path}[{index++}]", root) is { } found)
                    {
                        return found;
                    }
                }
                return null;
            default:
                return null;
        }
    }

    private static bool Decodes(Action read)
    {
        try
        {
            read();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
