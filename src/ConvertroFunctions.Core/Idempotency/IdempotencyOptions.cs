using System.ComponentModel.DataAnnotations;

namespace ConvertroFunctions.Core.Idempotency;

/// <summary>The <c>Idempotency</c> configuration section (env <c>Idempotency__*</c>).</summary>
public sealed class IdempotencyOptions
{
    public const string SectionName = "Idempotency";

    /// <summary>
    /// Record each event's delivered calls in Table storage so a repeat of its messageId (Segment's
    /// retries, a re-sent batch, queue redelivery) sends nothing again for at least 24 hours.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How long one delivery holds an event's claim. A second copy of the event that arrives
    /// meanwhile waits this long (at most) before it may take over, e.g. after a crash.
    /// Must exceed the time one event's calls can take: TimeoutSeconds × (InProcessRetries + 1) per call.
    /// </summary>
    [Range(1, 3600)]
    public int LeaseSeconds { get; set; } = 120;
}
