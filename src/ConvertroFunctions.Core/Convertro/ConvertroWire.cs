using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ConvertroFunctions.Core.Convertro;

/// <summary>An HTTP request to Convertro, exactly as it goes on the wire.</summary>
public sealed record ConvertroRequest(Uri Url, string Path, byte[] Body)
{
    public const string ContentType = "application/json";
}

/// <summary>
/// The one place that knows Convertro's server-to-server wire format (ARCHITECTURE.md §6):
/// <c>POST {base}/s2s/v1/{users|events|installs}</c> with a flat JSON body in a fixed field order.
/// Convertro's API is not publicly documented, so adapting to it is a change to this file only.
/// </summary>
public static class ConvertroWire
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static string PathOf(ConvertroEndpoint endpoint) => endpoint switch
    {
        ConvertroEndpoint.Users => "/s2s/v1/users",
        ConvertroEndpoint.Events => "/s2s/v1/events",
        ConvertroEndpoint.Installs => "/s2s/v1/installs",
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, null),
    };

    /// <summary><c>Convertro:BaseUrl</c> when configured (tests, proxies), else https://{domain}.</summary>
    public static Uri BaseUri(Uri? configuredBaseUrl, string domain) =>
        configuredBaseUrl ?? new Uri("https://" + domain);

    public static ConvertroRequest Build(ConvertroCall call, Uri baseUri)
    {
        var path = PathOf(call.Endpoint);
        var url = new Uri(baseUri, baseUri.AbsolutePath.TrimEnd('/') + path);
        return new ConvertroRequest(url, path, Body(call));
    }

    public static byte[] Body(ConvertroCall call)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);

        writer.WriteStartObject();
        writer.WriteString("account"u8, call.Account);
        writer.WriteString("client_name"u8, call.ClientName);
        writer.WriteString("site_id"u8, call.SiteId);
        writer.WriteString("device_id"u8, call.DeviceId);
        if (call.UserId is not null)
        {
            writer.WriteString("user_id"u8, call.UserId);
        }
        writer.WriteString("message_id"u8, call.MessageId);
        writer.WriteString("timestamp"u8, call.Timestamp);
        if (call.Endpoint == ConvertroEndpoint.Events)
        {
            writer.WriteString("event_type"u8, call.EventType);
            writer.WriteNumber("event_value"u8, call.EventValue ?? 1m);
            if (call.OrderId is not null)
            {
                writer.WriteString("order_id"u8, call.OrderId);
            }
        }
        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
