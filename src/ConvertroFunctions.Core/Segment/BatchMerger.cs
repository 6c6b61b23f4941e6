using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ConvertroFunctions.Core.Segment;

/// <summary>
/// The HTTP Tracking API batch shape: <c>{"batch":[…],"context":{…},"integrations":{…}}</c>. The
/// top-level <c>context</c> and <c>integrations</c> merge into each item key by key, the item's own
/// keys winning. Items that need no merge keep their raw text; merged items are rebuilt from the
/// raw text of every value, so no value is ever re-serialized.
/// </summary>
internal static class BatchMerger
{
    private static readonly string[] MergedKeys = ["context", "integrations"];

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    public static RawEvent[] Merge(
        ReadOnlyMemory<byte> source, JsonElement root, JsonElement batch, List<JsonDocument> documents)
    {
        var shared = new JsonElement?[MergedKeys.Length];
        for (var k = 0; k < MergedKeys.Length; k++)
        {
            if (root.TryGetProperty(MergedKeys[k], out var value) && value.ValueKind == JsonValueKind.Object)
            {
                shared[k] = value;
            }
        }

        var events = new RawEvent[batch.GetArrayLength()];
        var i = 0;
        foreach (var item in batch.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || (shared[0] is null && shared[1] is null))
            {
                events[i] = new RawEvent(i, SegmentBody.RawSlice(source, item), item);
            }
            else
            {
                byte[] merged = MergeItem(item, shared);
                var document = JsonDocument.Parse(merged);
                documents.Add(document);
                events[i] = new RawEvent(i, merged, document.RootElement);
            }
            i++;
        }
        return events;
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
