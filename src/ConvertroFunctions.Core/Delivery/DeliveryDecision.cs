using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.DeadLetters;

namespace ConvertroFunctions.Core.Delivery;

/// <summary>What becomes of an event after an attempt: the one decision delivery makes, as a value.</summary>
public abstract record DeliveryDecision
{
    private DeliveryDecision()
    {
    }

    /// <summary>Every call got a 2xx.</summary>
    public sealed record Delivered : DeliveryDecision;

    /// <summary>A transient failure with attempts left: try again at <paramref name="At"/> (attempt number <paramref name="Attempt"/> failed).</summary>
    public sealed record Retry(DateTimeOffset At, TimeSpan Delay, int Attempt) : DeliveryDecision;

    /// <summary>A permanent failure, or the schedule ran out: to DeadLetters with a reason code.</summary>
    public sealed record DeadLetter(string ReasonCode, string Reason, int Attempts) : DeliveryDecision;

    /// <summary>
    /// Decides from values only (unit-tested without storage): <paramref name="failure"/> is the
    /// attempt's failed outcome, or null when every call was delivered; <paramref name="failedBefore"/>
    /// the attempts that failed before this one; <paramref name="jitter"/> a fraction in [0, 0.1]
    /// added to the wait so events that failed together do not all come back together. A
    /// Retry-After longer than the scheduled wait wins.
    /// </summary>
    public static DeliveryDecision Decide(
        SendOutcome? failure, int failedBefore, IReadOnlyList<TimeSpan> schedule, DateTimeOffset now, double jitter)
    {
        if (failure is null || failure.Kind == OutcomeKind.Delivered)
        {
            return new Delivered();
        }
        var attempt = failedBefore + 1;
        if (failure.Kind == OutcomeKind.Permanent)
        {
            return new DeadLetter(ReasonCodes.ConvertroRejected, failure.Error, attempt);
        }
        if (attempt > schedule.Count)
        {
            return new DeadLetter(ReasonCodes.RetriesExhausted, $"Gave up after {attempt} attempts: {failure.Error}", attempt);
        }
        var delay = schedule[attempt - 1] * (1 + Math.Clamp(jitter, 0, 0.1));
        if (failure.RetryAfter is { } retryAfter && retryAfter > delay)
        {
            delay = retryAfter;
        }
        return new Retry(now + delay, delay, attempt);
    }
}
