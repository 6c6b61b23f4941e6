using System.Globalization;
using System.Text;
using ConvertroFunctions.Core.Segment;

namespace ConvertroFunctions.Benchmarks;

/// <summary>
/// Realistic Segment events (about 900 bytes, the shape analytics-ios sends, with the receivedAt
/// Segment adds when it forwards them), each with its own messageId, and the realistic mix used
/// for the mapping benchmark.
/// </summary>
internal static class Events
{
    public const string Secret = "bench-shared-secret";

    public static string Track(string messageId, string name = "Signed Up", string properties = "\"plan\":\"pro\",\"revenue\":19.99,\"currency\":\"USD\"", DateTimeOffset? receivedAt = null) =>
        $$$"""{"type":"track","event":"{{name}}","messageId":"{{{messageId}}}","userId":"user-{{{messageId.Length}}}","anonymousId":"b1f6d0e2-5a7c-4c8e-9d3f-2a1b0c9e8f7d","timestamp":"2026-11-23T10:00:00.123Z","sentAt":"2026-11-23T10:00:01.000Z","receivedAt":"{{{ReceivedAt(receivedAt)}}}","properties":{{{{properties}}}},"context":{"app":{"name":"Acme","version":"4.2.1","build":"421","namespace":"com.acme.app"},"device":{"id":"8C6F2B0A-4E1D-4A8B-9F3C-7D2E1A0B9C8D","manufacturer":"Apple","model":"iPhone15,2","type":"ios","adTrackingEnabled":true,"advertisingId":"6D92078A-8246-4BA4-AE5B-76104861E7DC"},"library":{"name":"analytics-ios","version":"4.1.8"},"os":{"name":"iOS","version":"18.1"},"screen":{"width":393,"height":852},"network":{"wifi":true,"carrier":"T-Mobile"},"locale":"en-US","timezone":"America/New_York","ip":"203.0.113.7"},"integrations":{"All":true}}""";

    public static string Identify(string messageId) =>
        $$$"""{"type":"identify","messageId":"{{{messageId}}}","userId":"user-{{{messageId.Length}}}","anonymousId":"b1f6d0e2-5a7c-4c8e-9d3f-2a1b0c9e8f7d","timestamp":"2026-11-23T10:00:00.123Z","receivedAt":"{{{ReceivedAt()}}}","traits":{"email":"someone@example.com","name":"Some One","plan":"pro"},"context":{"device":{"id":"8C6F2B0A-4E1D-4A8B-9F3C-7D2E1A0B9C8D","type":"ios"},"library":{"name":"analytics-ios","version":"4.1.8"},"ip":"203.0.113.7"}}""";

    public static string Page(string messageId) =>
        $$$"""{"type":"page","name":"Home","messageId":"{{{messageId}}}","userId":"u","timestamp":"2026-11-23T10:00:00.123Z","receivedAt":"{{{ReceivedAt()}}}","context":{"device":{"id":"d"}},"channel":"client"}""";

    /// <summary>
    /// The mix: 40% mapped track events, 20% identify, 10% Order Completed (hybrid: two calls),
    /// 10% Application Installed, 10% pages and 10% track without a device id (both skipped).
    /// </summary>
    public static string Mixed(int i, string id) => (i % 10) switch
    {
        0 or 1 or 2 or 3 => Track(id),
        4 or 5 => Identify(id),
        6 => Track(id, "Order Completed", $"\"order_id\":\"o-{id}\",\"total\":42.5,\"repeat\":false"),
        7 => Track(id, "Application Installed", "\"version\":\"4.2.1\""),
        8 => Page(id),
        _ => Track(id).Replace("\"device\":{\"id\":\"8C6F2B0A-4E1D-4A8B-9F3C-7D2E1A0B9C8D\",", "\"device\":{", StringComparison.Ordinal),
    };

    public static string Array(long first, int count, string prefix, DateTimeOffset? receivedAt = null) =>
        "[" + string.Join(',', Batch(first, count, prefix, receivedAt)) + "]";

    /// <summary>
    /// The events of one Segment array: mapped track events, one Convertro call each (eid = messageId
    /// "{prefix}-{first}-{i}"), received by Segment now or at <paramref name="receivedAt"/> (a replay, a backfill).
    /// </summary>
    public static IEnumerable<string> Batch(long first, int count, string prefix, DateTimeOffset? receivedAt = null) =>
        Enumerable.Range(0, count).Select(i => Track($"{prefix}-{first}-{i}", receivedAt: receivedAt));

    /// <summary>X-Signature as Segment computes it (of the first element for an array), with Core's own functions.</summary>
    public static string Sign(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        if (!SegmentBody.TryParse(bytes, out var parsed, out var error))
        {
            throw new ArgumentException(error, nameof(body));
        }
        using (parsed)
        {
            return SegmentSignature.Compute(Secret, parsed!.Shape == BodyShape.Array ? parsed.FirstArrayElement.Span : bytes);
        }
    }

    /// <summary>
    /// When Segment received the event (now, unless given): it stamps every event it forwards with it,
    /// and the event ledger keeps the event's record in that day's table.
    /// </summary>
    public static string ReceivedAt(DateTimeOffset? at = null) => (at ?? DateTimeOffset.UtcNow).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Id(string prefix, long n) => prefix + "-" + n.ToString(CultureInfo.InvariantCulture);
}
