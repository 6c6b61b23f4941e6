using System.ComponentModel.DataAnnotations;

namespace ConvertroFunctions.Core.Convertro;

/// <summary>The <c>Convertro</c> configuration section (env <c>Convertro__*</c>).</summary>
public sealed class ConvertroOptions : IValidatableObject
{
    public const string SectionName = "Convertro";

    /// <summary>
    /// Sends every call to this base URL instead of https://{workspace domain}: for tests, a proxy
    /// or a staging Convertro.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>Per-attempt timeout of one Convertro call.</summary>
    [Range(1, 120)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Quick in-process retries of a transient failure (connection error, timeout, 408, 5xx but
    /// 501) before the queue takes over with its long schedule. 0 turns them off.
    /// </summary>
    [Range(0, 5)]
    public int InProcessRetries { get; set; } = 2;

    public Uri? BaseUri => string.IsNullOrWhiteSpace(BaseUrl) ? null : new Uri(BaseUrl);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(BaseUrl)
            && (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https")))
        {
            yield return new ValidationResult(
                $"Convertro:BaseUrl must be an absolute http(s) URL; got '{BaseUrl}'.", [nameof(BaseUrl)]);
        }
    }
}
