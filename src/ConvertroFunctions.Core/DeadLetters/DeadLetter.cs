namespace ConvertroFunctions.Core.DeadLetters;

/// <summary>
/// An event that could not be delivered, with why. Replay re-enqueues <see cref="Event"/> and skips
/// the calls in <see cref="DeliveredCalls"/>.
/// </summary>
public sealed record DeadLetter
{
    public required string Id { get; init; }

    public required string WorkspaceId { get; init; }

    public string? MessageId { get; init; }

    public string? EventType { get; init; }

    public string? EventName { get; init; }

    /// <summary>One of <see cref="ReasonCodes"/>.</summary>
    public required string ReasonCode { get; init; }

    /// <summary>The reason in words: Convertro's answer, the last error, what to fix.</summary>
    public required string Reason { get; init; }

    public int? LastStatus { get; init; }

    /// <summary>The start of Convertro's response body, when it answered.</summary>
    public string? ResponseExcerpt { get; init; }

    public int Attempts { get; init; }

    public required DateTimeOffset FirstFailureAt { get; init; }

    public required DateTimeOffset LastFailureAt { get; init; }

    /// <summary>The original event's raw JSON.</summary>
    public required ReadOnlyMemory<byte> Event { get; init; }

    public IReadOnlyList<string> DeliveredCalls { get; init; } = [];

    /// <summary>When ingest first accepted the event.</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>
    /// The keyed hash of the event's userId (<see cref="Privacy.UserKeys"/>), when it has one: how a
    /// Segment delete finds this user's dead letters without a scan and without the raw id.
    /// </summary>
    public string? UserKey { get; init; }

    /// <summary>The smallest id a dead letter written before <paramref name="at"/> can have (ids sort newest first).</summary>
    public static string OlderThan(DateTimeOffset at) => $"{DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks:D19}";

    /// <summary>
    /// Row keys sort ascending, so an inverted timestamp lists a workspace's newest failures first.
    /// </summary>
    public static string NewId(DateTimeOffset at) => $"{OlderThan(at)}-{Guid.NewGuid():N}"[..32];
}
