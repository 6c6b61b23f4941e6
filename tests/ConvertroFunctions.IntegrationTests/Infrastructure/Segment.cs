using System.Text.Json.Nodes;

namespace ConvertroFunctions.IntegrationTests.Infrastructure;

/// <summary>Segment events for tests, as Segment would send them.</summary>
public static class Segment
{
    public const string Timestamp = "2026-03-01T10:00:00.000Z";

    public static JsonObject Track(string messageId, string eventName, JsonObject? properties = null, string? deviceId = "device-1", string userId = "user-42") => new()
    {
        ["type"] = "track",
        ["event"] = eventName,
        ["messageId"] = messageId,
        ["userId"] = userId,
        ["timestamp"] = Timestamp,
        ["properties"] = properties ?? new JsonObject(),
        ["context"] = deviceId is null ? new JsonObject() : new JsonObject { ["device"] = new JsonObject { ["id"] = deviceId } },
    };

    public static JsonObject Identify(string messageId, string? userId = "user-42", string? deviceId = "device-1") => new()
    {
        ["type"] = "identify",
        ["messageId"] = messageId,
        ["userId"] = userId,
        ["anonymousId"] = "anon-1",
        ["timestamp"] = Timestamp,
        ["traits"] = new JsonObject { ["email"] = "someone@example.com" },
        ["context"] = deviceId is null ? new JsonObject() : new JsonObject { ["device"] = new JsonObject { ["id"] = deviceId } },
    };

    public static JsonObject Page(string messageId) => new()
    {
        ["type"] = "page",
        ["messageId"] = messageId,
        ["userId"] = "user-42",
        ["name"] = "Home",
        ["context"] = new JsonObject { ["device"] = new JsonObject { ["id"] = "device-1" } },
    };

    public static string Array(params JsonObject[] events) => new JsonArray(events.Select(e => (JsonNode)e).ToArray()).ToJsonString();

    /// <summary>
    /// The exact body Convertro should receive for an events call, written out by hand from the
    /// wire contract (ARCHITECTURE.md §6) rather than by the code under test.
    /// </summary>
    public static string ExpectedEvent(TestWorkspace ws, string messageId, string eventType, string value, string? orderId = null, string userId = "user-42", string deviceId = "device-1") =>
        $"{{\"account\":\"{ws.Account}\",\"client_name\":\"{TestWorkspace.ClientName}\",\"site_id\":\"{TestWorkspace.SiteId}\"," +
        $"\"device_id\":\"{deviceId}\",\"user_id\":\"{userId}\",\"message_id\":\"{messageId}\",\"timestamp\":\"{Timestamp}\"," +
        $"\"event_type\":\"{eventType}\",\"event_value\":{value}" + (orderId is null ? "" : $",\"order_id\":\"{orderId}\"") + "}";

    public static string ExpectedUser(TestWorkspace ws, string messageId, string userId = "user-42", string deviceId = "device-1") =>
        $"{{\"account\":\"{ws.Account}\",\"client_name\":\"{TestWorkspace.ClientName}\",\"site_id\":\"{TestWorkspace.SiteId}\"," +
        $"\"device_id\":\"{deviceId}\",\"user_id\":\"{userId}\",\"message_id\":\"{messageId}\",\"timestamp\":\"{Timestamp}\"}}";
}
