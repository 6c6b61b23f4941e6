namespace ConvertroFunctions.Core.Convertro;

/// <summary>The closed set of outcomes of one call (STYLE.md §6).</summary>
public enum OutcomeKind
{
    Delivered,
    /// <summary>Worth retrying later: 408, 429, 5xx except 501, timeouts, connection failures.</summary>
    Transient,
    /// <summary>Retrying will not help: other 4xx, 501, and anything else unexpected.</summary>
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

    /// <summary>The one status rule (ARCHITECTURE.md §6).</summary>
    public static OutcomeKind Classify(int status) => status switch
    {
        >= 200 and < 300 => OutcomeKind.Delivered,
        408 or 429 => OutcomeKind.Transient,
        501 => OutcomeKind.Permanent,
        >= 500 and < 600 => OutcomeKind.Transient,
        _ => OutcomeKind.Permanent,
    };
}
