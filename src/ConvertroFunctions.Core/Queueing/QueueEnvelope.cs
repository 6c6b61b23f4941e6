using System.Text.Json.Serialization;

namespace ConvertroFunctions.Core.Queueing;

/// <summary>
/// The body of a <c>segment-events</c> message: one or more raw Segment events of one workspace.
/// Ingest packs many events per message; a retry or replay carries one event and its
/// <see cref="Retry"/> state.
/// </summary>
public sealed record QueueEnvelope
{
    public const int CurrentVersion = 1;

    [JsonPropertyName("v")]
    public int Version { get; init; } = CurrentVersion;

    public required string WorkspaceId { get; init; }

    /// <summary>When ingest accepted the events; the Convertro timestamp for events without one.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    public required IReadOnlyList<RawJson> Events { get; init; }

    public RetryState? Retry { get; init; }

    /// <summary>
    /// When a delayed message (a retry, a wait for another copy) was meant to become visible, set by
    /// <see cref="EventQueue.EnqueueAsync(QueueEnvelope, TimeSpan, CancellationToken)"/>; absent for
    /// a message visible at once. The backlog's age counts from here, not from the message's
    /// insertion (docs/operations.md, "Backlog age").
    /// </summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>
    /// The one way an event goes back on the queue on its own: a retry after a failure, a wait for
    /// another copy, a replay. Everything else of this envelope (workspace, receivedAt) is kept.
    /// </summary>
    public QueueEnvelope For(RawJson e, RetryState? retry) => this with { Events = [e], Retry = retry };
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

    /// <summary>The event ledger table holding this event's record, so the retry updates that record.</summary>
    public string? LedgerTable { get; init; }
}
