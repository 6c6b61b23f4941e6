using System.Net;

namespace ConvertroFunctions.Core.Convertro;

/// <summary>
/// The domains a workspace may send its calls to: <c>Convertro__AllowedDomainSuffixes</c>, a
/// comma-separated list of domain suffixes (default <c>.convertro.com</c>; docs/operations.md,
/// "Security"). A workspace's <c>domain</c> must be a host name ending with one of them at a label
/// boundary (<c>.convertro.com</c> allows <c>acme.sp1.convertro.com</c> and <c>convertro.com</c>,
/// never <c>evilconvertro.com</c>); an IP address never passes. PUT, preview and delivery all ask here.
/// </summary>
public sealed class AllowedDomains
{
    public const string Setting = "Convertro__AllowedDomainSuffixes";
    public const string Default = ".convertro.com";

    private AllowedDomains(IReadOnlyList<string> suffixes) => Suffixes = suffixes;

    /// <summary>Each suffix lower-case, starting with '.'.</summary>
    public IReadOnlyList<string> Suffixes { get; }

    /// <summary>Reads the setting; <paramref name="problems"/> says what is wrong with it (then the start fails).</summary>
    public static AllowedDomains Parse(string? setting, out IReadOnlyList<string> problems)
    {
        var found = new List<string>();
        var suffixes = new List<string>();
        foreach (var entry in (setting ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var name = entry.TrimStart('*').TrimStart('.').TrimEnd('.').ToLowerInvariant();
            if (Uri.CheckHostName(name) != UriHostNameType.Dns || IPAddress.TryParse(name, out _) || !name.Contains('.', StringComparison.Ordinal))
            {
                found.Add($"'{entry}' is not a domain (expected a suffix such as .convertro.com or track.example.com, never an IP address or a single label such as localhost)");
                continue;
            }
            suffixes.Add("." + name);
        }
        if (suffixes.Count == 0 && found.Count == 0)
        {
            found.Add("it must name at least one domain (the default is " + Default + ")");
        }
        problems = found;
        return new AllowedDomains(suffixes);
    }

    /// <summary>Null when calls may go to <paramref name="domain"/>; else why not, for the <c>domain</c> field.</summary>
    public string? Problem(string domain)
    {
        var host = domain.Trim().TrimEnd('.').ToLowerInvariant();
        if (IPAddress.TryParse(host.Trim('[', ']'), out _))
        {
            return $"Must be a host name, not an IP address; got '{domain}'.";
        }
        return Suffixes.Any(s => ("." + host).EndsWith(s, StringComparison.Ordinal))
            ? null
            : $"Must be a Convertro tracking domain ending with {string.Join(" or ", Suffixes)}; got '{domain}'. " +
              $"A first-party tracking domain is allowed by adding it to {Setting}.";
    }
}
