using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ConvertroFunctions.Core.Segment;

/// <summary>
/// The HTTP Tracking API batch shape: <c>{"batch":[…],"context":{…},"integrations":{…}}</c>. The
/// top-level <c>context</c> and <c>integrations</c> merge into each item key by key, the item's own
/// keys winning. Items that need no merge (no shared values, or not an object) keep their raw
/// text; merged items are rebuilt from the raw text of every value, so no value is ever re-serialized.
/// </summary>
internal static class BatchMerger
{
    /// <summary>The top-level keys merged into each item, in the order of the shared values passed to <see cref="Merge"/>.</summary>
    public static readonly string[] MergedKeys = ["context", "integrations"];

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>
    /// The object <paramref name="item"/> with the shared values merged in, parsed into
    /// <paramref name="document"/> for the caller to dispose.
    /// </summary>
    /// <param name="shared">The top-level object for each of <see cref="MergedKeys"/>, or null.</param>
    public static RawEvent Merge(RawEvent item, JsonElement?[] shared, out JsonDocument document)
    {
        byte[] merged = MergeItem(item.Element, shared);
        document = JsonDocument.Parse(merged);
        return new RawEvent(item.Index, merged, document.RootElement);
    }

    private static byte[] MergeItem(JsonElement item, JsonElement?[] shared)
    {
        var buffer = new ArrayBufferWriter<byte>(JsonMarshal.GetRawUtf8Value(item).Length + 256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            var written = new bool[MergedKeys.Length];
            writer.WriteStartObject();
            foreach (var property in item.EnumerateObject())
            {
                writer.WritePropertyName(property.Name);
                var k = Array.IndexOf(MergedKeys, property.Name);
                if (k >= 0 && shared[k] is { } top && property.Value.ValueKind == JsonValueKind.Object)
                {
                    WriteMergedObject(writer, top, property.Value);
                    written[k] = true;
                }
                else
                {
                    // A non-object context/integrations on the item wins over the shared one.
                    writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(property.Value), skipInputValidation: true);
                    if (k >= 0)
                    {
                        written[k] = true;
                    }
                }
            }
            for (var k = 0; k < MergedKeys.Length; k++)
            {
                if (!written[k] && shared[k] is { } top)
                {
                    writer.WritePropertyName(MergedKeys[k]);
                    writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(top), skipInputValidation: true);
                }
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteMergedObject(Utf8JsonWriter writer, JsonElement top, JsonElement own)
    {
        writer.WriteStartObject();
        foreach (var property in top.EnumerateObject())
        {
            if (!own.TryGetProperty(property.Name, out _))
            {
                writer.WritePropertyName(property.Name);
                writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(property.Value), skipInputValidation: true);
            }
        }
        foreach (var property in own.EnumerateObject())
        {
            writer.WritePropertyName(property.Name);
            writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(property.Value), skipInputValidation: true);
        }
        writer.WriteEndObject();
    }
}
