using System.Globalization;
using System.Text.Json;
using ConvertroFunctions.Core.Segment;
using ConvertroFunctions.Core.Workspaces;

namespace ConvertroFunctions.Core.Convertro;

/// <summary>
/// Every Convertro mapping rule, in one place (ARCHITECTURE.md §5, from Segment's Convertro
/// destination docs). A pure function: (Segment event, workspace settings) → calls or skip reason.
/// </summary>
public static class ConvertroMapper
{
    private const string Sale = "sale", SaleNew = "sale.new", SaleRepeat = "sale.repeat";

    /// <param name="receivedAt">When ingest accepted the event: the timestamp used when the event has none.</param>
    public static MappingResult Map(JsonElement e, WorkspaceSettings settings, DateTimeOffset receivedAt)
    {
        // 1. The event's integrations object can switch Convertro off.
        if (!IsEnabledByIntegrations(e))
        {
            return MappingResult.Skipped(SkipReason.IntegrationDisabled);
        }

        // 2. Convertro needs the device id on every call.
        var deviceId = DeviceId(e);
        if (deviceId is null)
        {
            return MappingResult.Skipped(SkipReason.NoDeviceId);
        }

        if (!e.TryGetProperty("type", out var typeElement) || !SegmentFields.TryGetType(typeElement, out var type))
        {
            return MappingResult.Skipped(SkipReason.TypeNotSent(typeElement.ValueKind == JsonValueKind.String
                ? typeElement.GetString()! : "untyped"));
        }

        var call = new ConvertroCall(
            ConvertroEndpoint.Users,
            settings.Account,
            settings.ClientName,
            settings.SiteId,
            deviceId,
            UserId: SegmentFields.AsIdentifier(Property(e, "userId")),
            MessageId: SegmentFields.AsIdentifier(Property(e, "messageId")) ?? string.Empty,
            Timestamp: Timestamp(e, receivedAt));

        return type switch
        {
            // 3. identify links the device to the user; traits are not sent.
            SegmentEventType.Identify => call.UserId is null
                ? MappingResult.Skipped(SkipReason.IdentifyWithoutUserId)
                : MappingResult.Send(call),
            SegmentEventType.Track => MapTrack(e, settings, call),
            // 7. Nothing else is sent.
            _ => MappingResult.Skipped(SkipReason.TypeNotSent(typeElement.GetString()!)),
        };
    }

    private static MappingResult MapTrack(JsonElement e, WorkspaceSettings settings, ConvertroCall call)
    {
        var name = SegmentFields.AsIdentifier(Property(e, "event")) ?? string.Empty;
        e.TryGetProperty("properties", out var properties);

        // 4. Order Completed / Completed Order: sale, sale.new, sale.repeat; the mapping does not apply.
        if (IsOrderCompleted(name))
        {
            var orderId = OrderId(properties);
            if (orderId is null)
            {
                return MappingResult.Skipped(SkipReason.OrderWithoutOrderId);
            }
            var order = call with
            {
                Endpoint = ConvertroEndpoint.Events,
                EventValue = Amount(properties, "total") ?? Amount(properties, "revenue") ?? 1m,
                OrderId = orderId,
            };
            var repeat = Property(properties, "repeat").ValueKind;
            return repeat switch
            {
                JsonValueKind.True or JsonValueKind.False when settings.HybridAttributionModel => MappingResult.Send(
                    order with { EventType = repeat == JsonValueKind.True ? SaleRepeat : SaleNew },
                    order with { EventType = Sale }),
                JsonValueKind.True => MappingResult.Send(order with { EventType = SaleRepeat }),
                JsonValueKind.False => MappingResult.Send(order with { EventType = SaleNew }),
                // Absent, or not a boolean ("true" is a string): the plain sale.
                _ => MappingResult.Send(order with { EventType = Sale }),
            };
        }

        // 5. Application Installed goes to the installs endpoint.
        if (IsApplicationInstalled(name))
        {
            return MappingResult.Send(call with { Endpoint = ConvertroEndpoint.Installs });
        }

        // 6. Other track events: only mapped ones when there is a mapping, else all under their own name.
        var eventType = name;
        if (!settings.Mapping.IsEmpty && !settings.Mapping.TryMap(name, out eventType))
        {
            return MappingResult.Skipped(SkipReason.EventNotMapped(name));
        }
        return MappingResult.Send(call with
        {
            Endpoint = ConvertroEndpoint.Events,
            EventType = eventType,
            EventValue = Amount(properties, "revenue") ?? 1m,
            OrderId = OrderId(properties),
        });
    }

    public static bool IsOrderCompleted(string eventName)
    {
        var name = eventName.AsSpan().Trim();
        return name.Equals("Order Completed", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Completed Order", StringComparison.OrdinalIgnoreCase);
    }

    public static bool IsApplicationInstalled(string eventName) =>
        eventName.AsSpan().Trim().Equals("Application Installed", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why a mapping entry for a fixed-route event has no effect (for settings warnings).</summary>
    public static string FixedRouteNote(string eventName) => IsOrderCompleted(eventName)
        ? "Order Completed / Completed Order events are always sent as sale, sale.new or sale.repeat."
        : "Application Installed is always sent to Convertro's installs endpoint.";

    private static bool IsEnabledByIntegrations(JsonElement e)
    {
        var integrations = Property(e, "integrations");
        if (integrations.ValueKind != JsonValueKind.Object)
        {
            return true;
        }
        // An options object for Convertro counts as enabling it, as it does in Segment.
        var convertro = Property(integrations, "Convertro").ValueKind;
        if (convertro == JsonValueKind.False)
        {
            return false;
        }
        return Property(integrations, "All").ValueKind != JsonValueKind.False
            || convertro is JsonValueKind.True or JsonValueKind.Object;
    }

    private static string? DeviceId(JsonElement e)
    {
        var id = Property(Property(Property(e, "context"), "device"), "id");
        if (id.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        var text = id.GetString();
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }

    /// <summary>The event's timestamp, else its receivedAt, else when ingest accepted it; always UTC.</summary>
    private static string Timestamp(JsonElement e, DateTimeOffset receivedAt)
    {
        if (!SegmentFields.TryGetTimestamp(Property(e, "timestamp"), out var at)
            && !SegmentFields.TryGetTimestamp(Property(e, "receivedAt"), out at))
        {
            at = receivedAt;
        }
        return at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>properties.order_id, then orderId, then id; numbers become strings.</summary>
    private static string? OrderId(JsonElement properties) =>
        SegmentFields.AsIdentifier(Property(properties, "order_id"))
        ?? SegmentFields.AsIdentifier(Property(properties, "orderId"))
        ?? SegmentFields.AsIdentifier(Property(properties, "id"));

    private static decimal? Amount(JsonElement properties, string name) =>
        SegmentFields.AsAmount(Property(properties, name));

    /// <summary>A child property, or an Undefined element when the parent is not an object.</summary>
    private static JsonElement Property(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) ? value : default;
}
