namespace ConvertroFunctions.Core.Convertro;

/// <summary>Why an event is not sent to Convertro. <see cref="Code"/> is stable, for counting.</summary>
public sealed record SkipReason(string Code, string Message)
{
    public static readonly SkipReason IntegrationDisabled = new(
        "integration_disabled",
        "integrations.Convertro is false, or integrations.All is false and Convertro is not enabled.");

    public static readonly SkipReason NoDeviceId = new(
        "no_device_id",
        "context.device.id is missing or empty; Convertro needs the device id on every call.");

    public static readonly SkipReason IdentifyWithoutUserId = new(
        "identify_without_user_id",
        "identify without a userId: Convertro only accepts identified users.");

    public static readonly SkipReason OrderWithoutOrderId = new(
        "order_without_order_id",
        "Order event without properties.order_id, orderId or id.");

    /// <summary>Decided at delivery, not by the mapper: the idempotency ledger saw this messageId delivered.</summary>
    public static readonly SkipReason AlreadyDelivered = new(
        "already_delivered",
        "Every call of this messageId was already delivered within the last 24 hours (a repeat or a redelivery).");

    /// <summary>Decided at delivery: another copy of this messageId is queued (a retry or a replay) and will deliver it.</summary>
    public static readonly SkipReason Duplicate = new(
        "duplicate",
        "Another copy of this messageId is already queued for delivery (a retry or a replay); this copy sends nothing.");

    /// <summary>
    /// A Segment delete: what the product stored for the user was purged; nothing was erased in
    /// Convertro (no GDPR API configured, or no visitor code known for the user).
    /// </summary>
    public static readonly SkipReason UserDeleted = new(
        "user_deleted",
        "A Segment deletion request: the user's stored data was purged; nothing to erase in Convertro (see docs/operations.md, \"Personal data\").");

    public static readonly SkipReason DeleteWithoutUserId = new(
        "delete_without_user_id",
        "A Segment deletion request without a userId: there is no user to purge.");

    public static SkipReason EventNotMapped(string eventName) => new(
        "event_not_mapped",
        $"track '{eventName}' is not in the workspace's events mapping.");

    public static SkipReason TypeNotSent(string type) => new(
        "type_not_sent",
        $"{type} calls are not sent to Convertro.");
}

/// <summary>
/// What one Segment event becomes: the Convertro calls to make, or why it is skipped; for a delete,
/// the user whose data delivery purges (<see cref="DeletedUserId"/>).
/// </summary>
public readonly record struct MappingResult(IReadOnlyList<ConvertroCall> Calls, SkipReason? Skip)
{
    public string? DeletedUserId { get; init; }

    public bool IsSkipped => Skip is not null;

    public static MappingResult Skipped(SkipReason reason) => new([], reason);

    public static MappingResult Send(params ConvertroCall[] calls) => new(calls, null);
}
