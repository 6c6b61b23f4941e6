using Polly.Timeout;

namespace ConvertroFunctions.Core.Convertro;

/// <summary>The closed set of outcomes of one call (docs/mapping.md, "Outcomes").</summary>
public enum OutcomeKind
{
    Delivered,
    /// <summary>Worth retrying later: 408, 429, 5xx except 501, timeouts, connection failures.</summary>
    Transient,
    /// <summary>Retrying will not help: other 4xx, 501, a redirect left over, an internal address refused.</summary>
    Permanent,
}

/// <summary>What happened to one call to Convertro.</summary>
public sealed record SendOutcome(
    OutcomeKind Kind,
    int? Status,
    string Error,
    string? ResponseExcerpt = null,
    TimeSpan? RetryAfter = null)
{
    public static readonly SendOutcome Delivered = new(OutcomeKind.Delivered, 200, string.Empty);

    /// <summary>
    /// The one status rule: the Convertro client, the in-process retry pipeline and the delivery
    /// decision all use it, and <see cref="IsTransient(Exception, CancellationToken)"/> for failures
    /// without a status.
    /// </summary>
    public static OutcomeKind Classify(int status) => status switch
    {
        >= 200 and < 300 => OutcomeKind.Delivered,
        408 or 429 => OutcomeKind.Transient,
        501 => OutcomeKind.Permanent,
        >= 500 and < 600 => OutcomeKind.Transient,
        _ => OutcomeKind.Permanent,
    };

    /// <summary>
    /// A call that got no answer: a connection failure or a timeout is transient, except a
    /// connection refused to an internal address (<see cref="RefusedAddressException"/>), which
    /// retrying will not change. Cancellation by the caller (<paramref name="callerToken"/>: the host
    /// shutting down) is not an outcome at all.
    /// </summary>
    public static bool IsTransient(Exception exception, CancellationToken callerToken) => exception switch
    {
        HttpRequestException { InnerException: RefusedAddressException } => false,
        HttpRequestException or TimeoutRejectedException => true,
        OperationCanceledException => !callerToken.IsCancellationRequested,
        _ => false,
    };
}
