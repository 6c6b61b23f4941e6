namespace ConvertroFunctions.Core.Ledger;

/// <summary>Where one event stands (docs/architecture.md, "The event ledger").</summary>
public enum EventState
{
    /// <summary>A delivery holds it (until its lease ends) and is sending its calls.</summary>
    Delivering,

    /// <summary>Every call got a 2xx.</summary>
    Delivered,

    /// <summary>Nothing to send (the mapping said so); <see cref="EventRecord.Reason"/> is the skip code.</summary>
    Skipped,

    /// <summary>A transient failure: a retry, the copy <see cref="EventRecord.Owner"/>, is queued for <see cref="EventRecord.NextAttemptAt"/>.</summary>
    Retrying,

    /// <summary>In DeadLetters (<see cref="EventRecord.DeadLetterId"/>); <see cref="EventRecord.Reason"/> is the reason code.</summary>
    DeadLettered,

    /// <summary>Queued again by a person (a replay) as the copy <see cref="EventRecord.Owner"/>; not yet picked up. (A hand-back at shutdown leaves the record Delivering with its lease ended.)</summary>
    Queued,
}

/// <summary>One Convertro call that succeeded: its key ("users", "events:sale"), Convertro's status, and when.</summary>
public sealed record CallRecord(string Key, int Status, DateTimeOffset At);

/// <summary>
/// The ledger's record of one event (messageId) of a workspace: what happened to it. It holds no
/// event content (no user id, device id, IP or properties), so it needs no purging for personal data.
/// </summary>
public sealed record EventRecord
{
    public required string WorkspaceId { get; init; }

    public required string MessageId { get; init; }

    public required EventState State { get; init; }

    /// <summary>Calls already delivered; a retry or a later copy never sends them again.</summary>
    public IReadOnlyList<CallRecord> Calls { get; init; } = [];

    /// <summary>
    /// The copy (a queue message's <see cref="Queueing.QueueEnvelope.Id"/>) that holds the event while
    /// it is <see cref="EventState.Delivering"/>, or that may take it next while it is
    /// <see cref="EventState.Retrying"/> (the queued retry) or <see cref="EventState.Queued"/> (the
    /// replayed copy). Null once final (docs/architecture.md, "The event ledger": the owner rule).
    /// </summary>
    public string? Owner { get; init; }

    /// <summary>Until when the delivering copy holds the event.</summary>
    public DateTimeOffset? LeaseUntil { get; init; }

    /// <summary>Delivery attempts that failed so far.</summary>
    public int Attempts { get; init; }

    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>The skip code or the dead-letter reason code.</summary>
    public string? Reason { get; init; }

    /// <summary>The last failure or the skip, in words (never with personal data: a URL's query is not included).</summary>
    public string? Detail { get; init; }

    public int? LastStatus { get; init; }

    /// <summary>
    /// The id of the event's dead letter: fixed when the event is first claimed, so every copy that
    /// dead-letters it writes the same letter, and a copy that delivers it after all removes it.
    /// </summary>
    public string? DeadLetterId { get; init; }

    public string? EventType { get; init; }

    public string? EventName { get; init; }

    /// <summary>When ingest accepted the event.</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Delivered or skipped: a later copy of the messageId has nothing to do.</summary>
    public bool IsFinal => State is EventState.Delivered or EventState.Skipped;
}
