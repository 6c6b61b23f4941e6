using System.Text.Json.Nodes;
using ConvertroFunctions.Core.Convertro;

namespace ConvertroFunctions.IntegrationTests.Infrastructure;

/// <summary>Segment events for tests, as Segment would send them.</summary>
public static class Segment
{
    public const string Timestamp = "2026-03-01T10:00:00.000Z";

    /// <summary><see cref="Timestamp"/> as Convertro's ts (Unix seconds).</summary>
    public const long UnixTimestamp = 1_772_359_200;

    public const string DeviceId = "device-1";

    /// <summary>
    /// The user an <see cref="Identify(string)"/> event links: one per event, so a test can tell
    /// each event's users call apart (users calls carry no eid).
    /// </summary>
    public static string UserOf(string messageId) => "user-" + messageId;

    public static JsonObject Track(string messageId, string eventName, JsonObject? properties = null, string? deviceId = DeviceId, string userId = "user-42") => new()
    {
        ["type"] = "track",
        ["event"] = eventName,
        ["messageId"] = messageId,
        ["userId"] = userId,
        ["timestamp"] = Timestamp,
        ["receivedAt"] = ReceivedAt(),
        ["properties"] = properties ?? new JsonObject(),
        ["context"] = deviceId is null ? new JsonObject() : new JsonObject { ["device"] = new JsonObject { ["id"] = deviceId } },
    };

    /// <summary>An identify linking <see cref="UserOf"/>(messageId) to <see cref="DeviceId"/>.</summary>
    public static JsonObject Identify(string messageId) => Identify(messageId, UserOf(messageId));

    public static JsonObject Identify(string messageId, string? userId, string? deviceId = DeviceId) => new()
    {
        ["type"] = "identify",
        ["messageId"] = messageId,
        ["userId"] = userId,
        ["anonymousId"] = "anon-1",
        ["timestamp"] = Timestamp,
        ["receivedAt"] = ReceivedAt(),
        ["traits"] = new JsonObject { ["email"] = "someone@example.com" },
        ["context"] = deviceId is null ? new JsonObject() : new JsonObject { ["device"] = new JsonObject { ["id"] = deviceId } },
    };

    public static JsonObject Page(string messageId) => new()
    {
        ["type"] = "page",
        ["messageId"] = messageId,
        ["userId"] = "user-42",
        ["name"] = "Home",
        ["receivedAt"] = ReceivedAt(),
        ["context"] = new JsonObject { ["device"] = new JsonObject { ["id"] = DeviceId } },
    };

    /// <summary>Segment stamps every event it forwards with when it received it: now, for a test.</summary>
    public static string ReceivedAt() => DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    public static string Array(params JsonObject[] events) => new JsonArray(events.Select(e => (JsonNode)e).ToArray()).ToJsonString();

    /// <summary>
    /// The exact request target (path and query) Convertro should receive for an events call,
    /// written out from the wire contract (docs/mapping.md) rather than by the code under test;
    /// only the visitor code comes from <see cref="ConvertroWire.Sid"/>, which unit tests pin to
    /// the contract's own values.
    /// </summary>
    public static string ExpectedEvent(TestWorkspace ws, string eventId, string eventType, string value, string deviceId = DeviceId) =>
        $"/api/hit/{E(ws.ClientName)}/{TestWorkspace.SiteId}/?sid={ConvertroWire.Sid(deviceId)}&did={E(deviceId)}" +
        $"&typ={E(eventType)}&val={value}&eid={E(eventId)}&ts={UnixTimestamp}";

    public static string ExpectedUser(TestWorkspace ws, string userId, string deviceId = DeviceId) =>
        $"/api/user/{E(ws.ClientName)}/{TestWorkspace.SiteId}/?sid={ConvertroWire.Sid(deviceId)}&did={E(deviceId)}" +
        $"&id={E(userId)}&ts={UnixTimestamp}";

    private static string E(string value) => Uri.EscapeDataString(value);
}
