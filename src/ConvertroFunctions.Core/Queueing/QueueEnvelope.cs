using System.Text.Json.Serialization;

namespace ConvertroFunctions.Core.Queueing;

/// <summary>
/// The body of a <c>segment-events</c> message: one or more raw Segment events of one workspace.
/// Ingest packs many events per message; a retry or replay carries one event and its
/// <see cref="Retry"/> state. Version 2 adds <see cref="Id"/> and <see cref="Waits"/>; version 1
/// messages (written before) are still read (docs/architecture.md, "Storage map").
/// </summary>
public sealed record QueueEnvelope
{
    public const int CurrentVersion = 2;

    /// <summary>The versions this app reads.</summary>
    public static bool IsReadable(int version) => version is 1 or CurrentVersion;

    [JsonPropertyName("v")]
    public int Version { get; init; } = CurrentVersion;

    /// <summary>
    /// This copy's id: what the event ledger names as an event's owner, or as the queued copy that may
    /// take it next (docs/architecture.md, "The event ledger"). New for a retry or a replay; kept by a
    /// wait, a hand-back and a host redelivery, which are the same copy. Null in a version 1 message.
    /// </summary>
    public string? Id { get; init; }

    public required string WorkspaceId { get; init; }

    /// <summary>When ingest accepted the events; the Convertro timestamp for events without one.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    public required IReadOnlyList<RawJson> Events { get; init; }

    public RetryState? Retry { get; init; }

    /// <summary>
    /// When a delayed message (a retry, a wait for another copy or for storage) was meant to become
    /// visible, set by <see cref="EventQueue.EnqueueAsync(QueueEnvelope, TimeSpan, CancellationToken)"/>;
    /// absent for a message visible at once. The backlog's age counts from here, not from the message's
    /// insertion (docs/operations.md, "Backlog age").
    /// </summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>
    /// How many times this copy was handed back because Table storage was unavailable: the next wait
    /// grows with it. Not an attempt: it never counts toward the retry schedule or maxDequeueCount.
    /// </summary>
    public int Waits { get; init; }

    /// <summary>A new copy id.</summary>
    public static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// The one way an event goes back on the queue on its own: a wait for another copy or a hand-back
    /// (the same copy: <see cref="Id"/> kept), or, with <paramref name="newCopy"/>, a retry after a
    /// failure or a replay (a new copy, which the ledger names as the next owner). Everything else of
    /// this envelope (workspace, receivedAt) is kept.
    /// </summary>
    public QueueEnvelope For(RawJson e, RetryState? retry, bool newCopy = false) =>
        this with { Events = [e], Retry = retry, Id = newCopy ? NewId() : Id, Waits = newCopy ? 0 : Waits };
}

/// <summary>Where a single event's delivery stands after earlier attempts.</summary>
public sealed record RetryState
{
    /// <summary>Delivery attempts already made for this event.</summary>
    public int Attempt { get; init; }

    /// <summary>Keys (<see cref="Convertro.ConvertroCall.Key"/>) of calls already delivered; not sent again.</summary>
    public IReadOnlyList<string> Delivered { get; init; } = [];

    public DateTimeOffset? FirstFailureAt { get; init; }

    public string? LastError { get; init; }

    public int? LastStatus { get; init; }

}
