using Azure;
using Azure.Data.Tables;
using ConvertroFunctions.Core.Queueing;

namespace ConvertroFunctions.Core.Ledger;

/// <summary>What the claim decided for one event.</summary>
public enum ClaimKind
{
    /// <summary>This delivery holds the event and sends the calls not in <see cref="EventClaim.Delivered"/>.</summary>
    Owned,

    /// <summary>Delivered (or skipped) before: a repeat; send nothing.</summary>
    AlreadyDone,

    /// <summary>Another delivery holds it; look again after <see cref="EventClaim.RetryAfter"/>.</summary>
    InFlight,

    /// <summary>Another copy of it is queued (a retry or a replay) and will deliver it; send nothing.</summary>
    Duplicate,

    /// <summary>Nothing to send; its outcome (a skip, a dead letter) was recorded with the claim.</summary>
    Recorded,
}

/// <summary>
/// One event to claim: its record as this delivery starts it (state <see cref="EventState.Delivering"/>,
/// or already final: <see cref="EventState.Skipped"/>, <see cref="EventState.DeadLettered"/>).
/// </summary>
/// <param name="StableTime">
/// Segment's <c>receivedAt</c>: identical in every copy of the event and never later than its first
/// delivery, so when it falls after today's start no earlier copy can be in yesterday's table.
/// </param>
/// <param name="Retry">The envelope's retry state: a retry or replay owns the event's record.</param>
public sealed record ClaimRequest(EventRecord Record, DateTimeOffset? StableTime, RetryState? Retry);

/// <summary>
/// A <see cref="LedgerSession"/>'s hold on one event: what the ledger knew, and the version of the
/// record this delivery writes back.
/// </summary>
public sealed class EventClaim
{
    internal EventClaim(ClaimRequest request, ClaimKind kind, EventRecord record, TimeSpan retryAfter = default)
    {
        Request = request;
        Kind = kind;
        Current = record;
        RetryAfter = retryAfter;
    }

    public ClaimRequest Request { get; }

    public ClaimKind Kind { get; }

    public TimeSpan RetryAfter { get; }

    /// <summary>The record as this delivery last set it (what the next flush writes).</summary>
    public EventRecord Current { get; internal set; }

    public IReadOnlyList<CallRecord> Delivered => Current.Calls;

    /// <summary>The table holding the record (a retry comes back to it); null when nothing is recorded.</summary>
    public string? TableName => Table?.Name;

    internal TableClient? Table { get; init; }

    internal string? PartitionKey { get; init; }

    internal ETag ETag { get; set; }

    /// <summary>Bumped on every change; a flush writes a version and marks it clean only if nothing changed meanwhile.</summary>
    internal int Version { get; set; }

    internal int FlushedVersion { get; set; }

    /// <summary>The event reached its outcome (or was released): no more lease renewals.</summary>
    internal bool Done { get; set; }

    internal bool IsRecorded => Table is not null;
}
