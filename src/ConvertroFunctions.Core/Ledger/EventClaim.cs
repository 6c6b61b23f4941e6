using Azure;
using Azure.Data.Tables;

namespace ConvertroFunctions.Core.Ledger;

/// <summary>
/// One copy of an event asking to own it: the record it would start (state
/// <see cref="EventState.Delivering"/>, or <see cref="EventState.Skipped"/> when there is nothing to
/// send), the day whose table holds the record (<see cref="LedgerKeys.DayFor"/>), and the copy.
/// </summary>
public sealed record ClaimRequest(EventRecord Record, DateOnly Day, ClaimCopy Copy);

/// <summary>
/// What the claim decided for one event, as a value: the decision, the record as this copy found it
/// (null: there was none) and as it stands after the claim (this copy's, when it owns the event).
/// The mutable state behind an owned claim (ETag, lease, what is still to be written) is the
/// session's (<see cref="LedgerSession"/>).
/// </summary>
public sealed record EventClaim(ClaimRequest Request, ClaimKind Kind, EventRecord Record, EventRecord? Found, TimeSpan RetryAfter = default)
{
    /// <summary>Calls delivered before this copy claimed the event; never sent again.</summary>
    public IReadOnlyList<CallRecord> Delivered => Record.Calls;

    /// <summary>This copy owns an event another copy had a record of (a retry, a replay, a takeover): a dead letter may exist for it.</summary>
    public bool TookOver => Kind == ClaimKind.Owned && Found is not null;

    /// <summary>The table holding the record; null when the ledger is off.</summary>
    public string? TableName => Tracked?.Table.Name;

    internal TrackedRecord? Tracked { get; init; }
}

/// <summary>
/// An owned record as this session holds it: the record as last changed, the ETag of the last write,
/// and what is not written yet. Changed under its own lock (delivery and the flush both change it).
/// </summary>
internal sealed class TrackedRecord(TableClient table, string partitionKey, EventRecord record, ETag etag, int seq)
{
    public TableClient Table { get; } = table;

    public string PartitionKey { get; } = partitionKey;

    public EventRecord Current { get; set; } = record;

    public ETag ETag { get; set; } = etag;

    /// <summary>Bumped on every change; a write marks a version clean only if nothing changed meanwhile.</summary>
    public int Version { get; set; }

    public int FlushedVersion { get; set; }

    /// <summary>The write counter stored with the record (with the session's run id): how a write whose answer was lost is recognised.</summary>
    public int Seq { get; set; } = seq;

    /// <summary>The last write counter storage confirmed (or that a 412 showed applied): a stored counter above it and below the one being sent is a write of this session whose answer was lost.</summary>
    public int ConfirmedSeq { get; set; } = seq;

    /// <summary>The lease as last written: what another copy sees, so the only one this copy may rely on.</summary>
    public DateTimeOffset? WrittenLease { get; set; } = record.LeaseUntil;

    /// <summary>The outcome is set (or the event was let go): no more lease renewals.</summary>
    public bool Done { get; set; }

    /// <summary>Another copy owns the event now (a write found the record changed): this one sends and writes nothing more.</summary>
    public bool Lost { get; set; }

    public bool Dirty => !Lost && Version != FlushedVersion;
}
