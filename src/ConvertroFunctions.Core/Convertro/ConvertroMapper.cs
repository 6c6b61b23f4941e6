using System.Text.Json;
using ConvertroFunctions.Core.Segment;
using ConvertroFunctions.Core.Workspaces;

namespace ConvertroFunctions.Core.Convertro;

/// <summary>
/// Every Convertro mapping rule, in one place (docs/mapping.md, numbered as there; from Segment's Convertro
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

        // 8. delete: Segment's user-deletion request; no tracking call, and it needs no device id.
        var typeElement = Property(e, "type"u8);
        var known = SegmentFields.TryGetType(typeElement, out var type);
        if (known && type == SegmentEventType.Delete)
        {
            return SegmentFields.AsIdentifier(Property(e, "userId"u8)) is { } deleted
                ? MappingResult.Skipped(SkipReason.UserDeleted) with { DeletedUserId = deleted }
                : MappingResult.Skipped(SkipReason.DeleteWithoutUserId);
        }

        // 2. Convertro needs the device id on every call.
        var deviceId = DeviceId(e);
        if (deviceId is null)
        {
            return MappingResult.Skipped(SkipReason.NoDeviceId);
        }

        // 7. Only identify and track are sent (checked before anything is read for the call).
        if (!known || type is not (SegmentEventType.Identify or SegmentEventType.Track))
        {
            return MappingResult.Skipped(TypeNotSent(typeElement, known ? type : null));
        }

        var userId = SegmentFields.AsIdentifier(Property(e, "userId"u8));
        // 3. identify links the device to the user; traits are not sent.
        if (type == SegmentEventType.Identify && userId is null)
        {
            return MappingResult.Skipped(SkipReason.IdentifyWithoutUserId);
        }
        var call = new CallFields(settings, deviceId,
            SegmentFields.AsIdentifier(Property(e, "messageId"u8)) ?? string.Empty, UnixSeconds(e, receivedAt), Visit(e));
        return type == SegmentEventType.Identify
            ? MappingResult.Send(call.To(ConvertroEndpoint.Users, userId: userId))
            : MapTrack(e, settings, call);
    }

    private static MappingResult MapTrack(JsonElement e, WorkspaceSettings settings, CallFields call)
    {
        var name = SegmentFields.AsIdentifier(Property(e, "event"u8)) ?? string.Empty;
        var properties = Property(e, "properties"u8);

        // 4. Order Completed / Completed Order: sale, sale.new, sale.repeat; the mapping does not apply.
        if (IsOrderCompleted(name))
        {
            var orderId = OrderId(properties);
            if (orderId is null)
            {
                return MappingResult.Skipped(SkipReason.OrderWithoutOrderId);
            }
            var value = Amount(properties, "total"u8) ?? Amount(properties, "revenue"u8) ?? 1m;
            ConvertroCall Order(string eventType) => call.To(ConvertroEndpoint.Events, eventType, value, eventId: orderId);
            var repeat = Property(properties, "repeat"u8).ValueKind;
            return repeat switch
            {
                JsonValueKind.True or JsonValueKind.False when settings.HybridAttributionModel => MappingResult.Send(
                    Order(repeat == JsonValueKind.True ? SaleRepeat : SaleNew), Order(Sale)),
                JsonValueKind.True => MappingResult.Send(Order(SaleRepeat)),
                JsonValueKind.False => MappingResult.Send(Order(SaleNew)),
                // Absent, or not a boolean ("true" is a string): the plain sale.
                _ => MappingResult.Send(Order(Sale)),
            };
        }

        // 5. Application Installed goes to the installs endpoint.
        if (IsApplicationInstalled(name))
        {
            return MappingResult.Send(call.To(ConvertroEndpoint.Installs, eventId: OrderId(properties)));
        }

        // 6. Other track events: only mapped ones when there is a mapping, else all under their own name.
        var eventType = name;
        if (!settings.Mapping.IsEmpty && !settings.Mapping.TryMap(name, out eventType))
        {
            return MappingResult.Skipped(SkipReason.EventNotMapped(name));
        }
        return MappingResult.Send(call.To(
            ConvertroEndpoint.Events, eventType, Amount(properties, "revenue"u8) ?? 1m, eventId: OrderId(properties)));
    }

    /// <summary>What every call of one event shares; each call is built from it once, not copied.</summary>
    private readonly record struct CallFields(WorkspaceSettings Settings, string DeviceId, string MessageId, long Timestamp, VisitContext? Visit)
    {
        /// <param name="eventId">The order id when the event has one; the messageId otherwise (events and installs).</param>
        public ConvertroCall To(ConvertroEndpoint endpoint, string? eventType = null, decimal? value = null,
            string? eventId = null, string? userId = null) =>
            new(endpoint, Settings.ClientName, Settings.SiteId, DeviceId,
                endpoint == ConvertroEndpoint.Users ? null : eventId ?? MessageId, Timestamp, Visit, userId, eventType, value);
    }

    /// <param name="type">The parsed type, or null when it is not one of Segment's.</param>
    private static SkipReason TypeNotSent(JsonElement typeElement, SegmentEventType? type) =>
        type is { } t && SkipReasonsByType.TryGetValue(t, out var cached) ? cached
        : typeElement.ValueKind == JsonValueKind.String ? SkipReason.TypeNotSent(typeElement.GetString()!)
        : SkipReason.TypeNotSent("untyped");

    /// <summary>One instance per Segment type that is never sent, so skipping a page allocates nothing.</summary>
    private static readonly Dictionary<SegmentEventType, SkipReason> SkipReasonsByType = new()
    {
        [SegmentEventType.Page] = SkipReason.TypeNotSent("page"),
        [SegmentEventType.Screen] = SkipReason.TypeNotSent("screen"),
        [SegmentEventType.Group] = SkipReason.TypeNotSent("group"),
        [SegmentEventType.Alias] = SkipReason.TypeNotSent("alias"),
    };

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
        var integrations = Property(e, "integrations"u8);
        if (integrations.ValueKind != JsonValueKind.Object)
        {
            return true;
        }
        // An options object for Convertro counts as enabling it, as it does in Segment.
        var convertro = Property(integrations, "Convertro"u8).ValueKind;
        if (convertro == JsonValueKind.False)
        {
            return false;
        }
        return Property(integrations, "All"u8).ValueKind != JsonValueKind.False
            || convertro is JsonValueKind.True or JsonValueKind.Object;
    }

    private static string? DeviceId(JsonElement e)
    {
        var id = Property(Property(Property(e, "context"u8), "device"u8), "id"u8);
        if (id.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        var text = id.GetString();
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }

    /// <summary>
    /// The event's <c>timestamp</c>, else <c>originalTimestamp</c>, else <c>receivedAt</c>, else when
    /// ingest accepted it, as Unix seconds (floor).
    /// </summary>
    private static long UnixSeconds(JsonElement e, DateTimeOffset receivedAt)
    {
        if (!SegmentFields.TryGetTimestamp(Property(e, "timestamp"u8), out var at)
            && !SegmentFields.TryGetTimestamp(Property(e, "originalTimestamp"u8), out at)
            && !SegmentFields.TryGetTimestamp(Property(e, "receivedAt"u8), out at))
        {
            at = receivedAt;
        }
        return at.ToUnixTimeSeconds();
    }

    /// <summary><c>context.ip</c>, <c>userAgent</c>, <c>page.url</c> and <c>page.referrer</c>, when they are non-empty strings.</summary>
    private static VisitContext? Visit(JsonElement e)
    {
        var context = Property(e, "context"u8);
        if (context.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var page = Property(context, "page"u8);
        var visit = new VisitContext(
            Text(Property(context, "ip"u8)), Text(Property(context, "userAgent"u8)),
            Text(Property(page, "url"u8)), Text(Property(page, "referrer"u8)));
        return visit.IsEmpty ? null : visit;
    }

    private static string? Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    /// <summary>properties.order_id, then orderId, then id; numbers become strings.</summary>
    private static string? OrderId(JsonElement properties) =>
        SegmentFields.AsIdentifier(Property(properties, "order_id"u8))
        ?? SegmentFields.AsIdentifier(Property(properties, "orderId"u8))
        ?? SegmentFields.AsIdentifier(Property(properties, "id"u8));

    private static decimal? Amount(JsonElement properties, ReadOnlySpan<byte> name) =>
        SegmentFields.AsAmount(Property(properties, name));

    /// <summary>A child property, or an Undefined element when the parent is not an object.</summary>
    private static JsonElement Property(JsonElement parent, ReadOnlySpan<byte> name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) ? value : default;
}
