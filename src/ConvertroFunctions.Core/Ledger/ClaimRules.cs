namespace ConvertroFunctions.Core.Ledger;

/// <summary>What the claim decided for one copy of an event.</summary>
public enum ClaimKind
{
    /// <summary>This copy holds the event and sends the calls not delivered yet.</summary>
    Owned,

    /// <summary>Delivered or skipped before (or, for the poison drain, dead-lettered already): send nothing.</summary>
    AlreadyDone,

    /// <summary>Another copy holds it under a live lease; look again after the lease (<see cref="ClaimDecision.RetryAfter"/>).</summary>
    InFlight,

    /// <summary>Another copy of it is queued (a retry or a replay) and will deliver it; send nothing.</summary>
    Duplicate,
}

/// <summary>Which path a copy of an event came by: the rules are the same, what an owner then does differs.</summary>
public enum CopyPath
{
    /// <summary>A delivery of <c>segment-events</c>: ingest's message, a retry, a wait, a hand-back, a replayed copy.</summary>
    Delivery,

    /// <summary>The poison drain, closing what the host gave up on: it dead-letters only events with no outcome.</summary>
    PoisonDrain,

    /// <summary>An operator's replay of a dead letter, before its copy is queued.</summary>
    Replay,
}

/// <summary>
/// A copy of an event asking for it: the queue message it came in (<paramref name="CopyId"/>, the
/// envelope's id; null for a message written before envelopes had ids), its retry state, and its path.
/// </summary>
public sealed record ClaimCopy(string? CopyId, int? RetryAttempt, CopyPath Path = CopyPath.Delivery);

/// <summary>The claim's answer for one copy, as a value.</summary>
/// <param name="SuccessorPending">
/// The record is held by the attempt that queued this retry, which records "retrying" a moment after
/// it enqueued it: worth looking again at once rather than after the lease.
/// </param>
public readonly record struct ClaimDecision(ClaimKind Kind, TimeSpan RetryAfter = default, bool SuccessorPending = false);

/// <summary>
/// The owner rule (docs/architecture.md, "The event ledger"): one pure function decides, for every
/// path an event's copy can come by (a first delivery, Segment re-sending it, a retry, a wait, a
/// hand-back, the poison drain, a replay), whether the copy may own the event. Whoever owns it is
/// the only one who may send its calls and record its outcome; every later write is checked against
/// the record's ETag, so a copy that lost the event finds out before it writes or sends again.
/// </summary>
public static class ClaimRules
{
    public static ClaimDecision Decide(EventRecord? existing, ClaimCopy copy, DateTimeOffset now)
    {
        if (existing is null)
        {
            return new(ClaimKind.Owned);
        }
        if (existing.IsFinal)
        {
            return new(ClaimKind.AlreadyDone);
        }
        switch (existing.State)
        {
            case EventState.Delivering when existing.LeaseUntil is { } lease && lease > now:
                // Held, even by a copy with the same id (a message redelivered while its first run still works).
                return new(ClaimKind.InFlight, lease - now,
                    SuccessorPending: copy.RetryAttempt is { } attempt && existing.Attempts == attempt - 1 && existing.Owner != copy.CopyId);
            case EventState.Delivering:
                // Its holder stopped without a word (a crash): the lease ran out, any copy takes over.
                return new(ClaimKind.Owned);
            case EventState.Retrying or EventState.Queued:
                // Only the queued copy the record names; any other copy (a stale retry, a wait or re-send of
                // an earlier attempt, a Segment re-send, a second replay) is a duplicate of it.
                return existing.Owner is null
                    ? new(copy.RetryAttempt is null || copy.Path == CopyPath.Replay ? ClaimKind.Duplicate : ClaimKind.Owned) // a record written before owners
                    : new(existing.Owner == copy.CopyId && copy.Path != CopyPath.Replay ? ClaimKind.Owned : ClaimKind.Duplicate);
            case EventState.DeadLettered:
                // Sent again (a Segment re-send, a replay): delivered after all, with the same letter id. The
                // poison drain leaves it: it has its letter.
                return new(copy.Path == CopyPath.PoisonDrain ? ClaimKind.AlreadyDone : ClaimKind.Owned);
            default:
                throw new ArgumentOutOfRangeException(nameof(existing), existing.State, "Unknown event state.");
        }
    }

    /// <summary>
    /// The record an owning copy writes over <paramref name="existing"/> (null: a new record): what
    /// was delivered before is kept, and so are the attempts, the dead letter's id and when ingest
    /// accepted the event.
    /// </summary>
    public static EventRecord Claimed(EventRecord? existing, EventRecord wanted) => existing is null ? wanted : wanted with
    {
        Calls = Union(existing.Calls, wanted.Calls),
        Attempts = Math.Max(existing.Attempts, wanted.Attempts),
        DeadLetterId = existing.DeadLetterId ?? wanted.DeadLetterId,
        ReceivedAt = existing.ReceivedAt == default ? wanted.ReceivedAt : existing.ReceivedAt,
    };

    /// <summary>Calls delivered by either, each key once.</summary>
    public static IReadOnlyList<CallRecord> Union(IReadOnlyList<CallRecord> first, IReadOnlyList<CallRecord> second) =>
        second.Count == 0 ? first : first.Count == 0 ? second
        : [.. first.Concat(second).GroupBy(c => c.Key, StringComparer.Ordinal).Select(g => g.First())];
}
