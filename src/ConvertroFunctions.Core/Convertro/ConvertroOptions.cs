using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Convertro;

/// <summary>The <c>Convertro</c> configuration section (env <c>Convertro__*</c>).</summary>
public sealed partial class ConvertroOptions : IValidatableObject
{
    public const string SectionName = "Convertro";

    /// <summary>
    /// Sends every call to this base URL instead of https://{workspace domain}: a proxy, a staging
    /// Convertro, the fake, LocalHost's sandbox.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>
    /// Path of Convertro's installs endpoint below the base, before /{clientName}/{siteId}/. No public
    /// source shows it, so it is a setting (docs/mapping.md).
    /// </summary>
    public string InstallsPath { get; set; } = ConvertroWire.DefaultInstallsPath;

    /// <summary>
    /// Convertro's GDPR API (given to each customer by Convertro). With it, and a workspace's
    /// <c>gdprApiKey</c>, a Segment delete also erases the user's visitor codes in Convertro.
    /// </summary>
    public string? GdprApiUrl { get; set; }

    public Uri? GdprApiUri => string.IsNullOrWhiteSpace(GdprApiUrl) ? null : new Uri(GdprApiUrl);

    /// <summary>
    /// Comma-separated domain suffixes a workspace's <c>domain</c> must end with (<see cref="AllowedDomains"/>);
    /// a first-party tracking domain is added here.
    /// </summary>
    public string AllowedDomainSuffixes { get; set; } = AllowedDomains.Default;

    /// <summary><see cref="AllowedDomainSuffixes"/> read (once per options instance).</summary>
    public AllowedDomains AllowedDomains => _allowed ??= AllowedDomains.Parse(AllowedDomainSuffixes, out _);

    private AllowedDomains? _allowed;

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
            && (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https")
                || uri.Query.Length > 0 || uri.Fragment.Length > 0))
        {
            yield return new ValidationResult(
                $"Convertro:BaseUrl must be an absolute http(s) URL without query or fragment; got '{BaseUrl}'.", [nameof(BaseUrl)]);
        }
        if (!string.IsNullOrWhiteSpace(GdprApiUrl))
        {
            if (!Uri.TryCreate(GdprApiUrl, UriKind.Absolute, out var gdpr) || (gdpr.Scheme != "http" && gdpr.Scheme != "https"))
            {
                yield return new ValidationResult($"Convertro:GdprApiUrl must be an absolute http(s) URL; got '{GdprApiUrl}'.", [nameof(GdprApiUrl)]);
            }
            else if (gdpr.Scheme != "https" && !gdpr.IsLoopback)
            {
                // Its requests carry the workspace's GDPR API key.
                yield return new ValidationResult(
                    $"Convertro:GdprApiUrl must be https (plain http only to a loopback address, for tests); got '{GdprApiUrl}'.", [nameof(GdprApiUrl)]);
            }
        }
        AllowedDomains.Parse(AllowedDomainSuffixes, out var domainProblems);
        foreach (var problem in domainProblems)
        {
            yield return new ValidationResult($"Convertro:AllowedDomainSuffixes: {problem}.", [nameof(AllowedDomainSuffixes)]);
        }
        if (!PathPattern().IsMatch(InstallsPath ?? string.Empty) || InstallsPath!.Split('/').Any(s => s is "." or ".."))
        {
            yield return new ValidationResult(
                $"Convertro:InstallsPath must be a relative path of letters, digits, '-', '.', '_' and '~' segments " +
                $"separated by '/', without leading or trailing '/', e.g. api/install; got '{InstallsPath}'.", [nameof(InstallsPath)]);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex PathPattern();
}

/// <summary>Checks <see cref="ConvertroOptions"/> at start (source-generated from its annotations and its own checks).</summary>
[OptionsValidator]
public sealed partial class ConvertroOptionsValidator : IValidateOptions<ConvertroOptions>;
