using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Workspaces;
using ConvertroFunctions.Core.Ledger;
using Microsoft.AspNetCore.Http;

namespace ConvertroFunctions.Core.Admin;

/// <summary>A delivered call as the event lookup shows it.</summary>
public sealed record CallView(string Key, int? Status, DateTimeOffset? At);

/// <summary>
/// What happened to one event: <c>queued</c> (being delivered, or queued again by a replay or a
/// stop), <c>retrying</c> (attempts so far, next attempt), <c>delivered</c> (the calls and
/// Convertro's status), <c>skipped</c> (reason), <c>dead-lettered</c> (reason code).
/// </summary>
public sealed record EventView(
    string WorkspaceId, string MessageId, string State, IReadOnlyList<CallView> Calls, int Attempts,
    DateTimeOffset? NextAttemptAt, string? Reason, string? ReasonCode, string? Detail, int? LastStatus, string? DeadLetterId,
    string? EventType, string? EventName, DateTimeOffset ReceivedAt, DateTimeOffset UpdatedAt)
{
    public static EventView Of(EventRecord r) => new(
        r.WorkspaceId, r.MessageId, StateName(r.State),
        [.. r.Calls.Select(c => new CallView(c.Key, c.Status == 0 ? null : c.Status, c.Status == 0 ? null : c.At))],
        r.Attempts, r.State == EventState.Retrying ? r.NextAttemptAt : null,
        r.State == EventState.Skipped ? r.Reason : null, r.State == EventState.DeadLettered ? r.Reason : null,
        r.Detail, r.LastStatus, r.DeadLetterId, r.EventType, r.EventName, r.ReceivedAt, r.UpdatedAt);

    public static string StateName(EventState state) => state switch
    {
        EventState.Delivering or EventState.Queued => "queued",
        EventState.Retrying => "retrying",
        EventState.Delivered => "delivered",
        EventState.Skipped => "skipped",
        _ => "dead-lettered",
    };
}

/// <summary>
/// GetEventFunction (docs/api.md): a point read of the event ledger
/// (today's table, then yesterday's), so an answer exists for at least 24 hours after the event's
/// first delivery attempt. 404 when the ledger has no record of it.
/// </summary>
public sealed class EventLookupHandler(EventLedger ledger)
{
    public async Task<IResult> HandleAsync(WorkspaceSettings settings, string messageId, CancellationToken ct)
    {
        // A '/' in a messageId arrives as %2F, which routing leaves encoded.
        var id = messageId.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        if (!ledger.Enabled)
        {
            return Problems.Of(StatusCodes.Status404NotFound, "Event lookup is off",
                "Ledger__Enabled is false: no event records are kept, so no event can be looked up.");
        }
        return await ledger.LookupAsync(settings.WorkspaceId, id, ct) is { } record
            ? TypedResults.Ok(EventView.Of(record))
            : Problems.Of(StatusCodes.Status404NotFound, "Unknown event",
                $"No record of messageId '{id}' in workspace '{settings.WorkspaceId}': it was never accepted, is still waiting in the " +
                "queue for its first delivery attempt, or its first delivery attempt was more than 24–48 hours ago.");
    }
}
