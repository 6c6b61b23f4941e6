using System.Text.Json;
using ConvertroFunctions.Core.Convertro;

namespace ConvertroFunctions.Core.Workspaces;

/// <summary>The outcome of reading a PUT body: settings, or every problem keyed by field.</summary>
public sealed record WorkspaceSettingsParseResult(
    WorkspaceSettings? Settings,
    IReadOnlyDictionary<string, string[]> Errors,
    IReadOnlyList<string> Warnings);

/// <summary>
/// Reads and validates the body of <c>PUT /api/workspaces/{id}</c> (docs/api.md, "Workspaces"). PUT
/// replaces the settings, except the secrets (<c>sharedSecret</c>, <c>gdprApiKey</c>), which are
/// write-only: never shown, kept when a PUT leaves them out (so a GET → edit → PUT round trip never
/// silently turns signature checks off), removed by an explicit <c>null</c>.
/// </summary>
public static class WorkspaceSettingsParser
{
    public const string AccountRequired = "Please enter your Convertro Account Name.";

    private const int MaxTextLength = 256;
    private const int MaxEvents = 500;

    private static readonly HashSet<string> ReadOnlyFields = ["workspaceId", "sharedSecretSet", "gdprApiKeySet", "updatedAt", "warnings"];

    private static readonly string[] KnownFields =
        ["account", "clientName", "siteId", "domain", "events", "hybridAttributionModel", "sharedSecret", "gdprApiKey", "enabled"];

    /// <param name="allowed">The domains calls may go to (<c>Convertro__AllowedDomainSuffixes</c>).</param>
    public static WorkspaceSettingsParseResult Parse(
        string workspaceId, JsonElement body, WorkspaceSettings? existing, DateTimeOffset now, AllowedDomains allowed)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }
            list.Add(message);
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            Add("body", "The body must be a JSON object of settings.");
            return Result(null, errors, []);
        }

        foreach (var property in body.EnumerateObject())
        {
            if (!KnownFields.Contains(property.Name) && !ReadOnlyFields.Contains(property.Name))
            {
                Add(property.Name, $"'{property.Name}' is not a setting. Settings are: {string.Join(", ", KnownFields)}.");
            }
        }
        if (body.TryGetProperty("workspaceId", out var bodyId) && bodyId.ValueKind == JsonValueKind.String
            && !string.Equals(bodyId.GetString(), workspaceId, StringComparison.OrdinalIgnoreCase))
        {
            Add("workspaceId", $"The body names workspace '{bodyId.GetString()}' but the URL names '{workspaceId}'.");
        }

        var account = RequiredText(body, "account", AccountRequired, Add);
        var clientName = RequiredText(body, "clientName", "Please enter your Convertro Client Name (needed to send data to Convertro's server-side API).", Add);
        var siteId = RequiredText(body, "siteId", "Please enter your Convertro Site ID (needed to send data to Convertro's server-side API).", Add);
        foreach (var (field, value) in new[] { ("clientName", clientName), ("siteId", siteId) })
        {
            if (value is "." or "..")
            {
                // A path segment of every Convertro URL: "." and ".." would be resolved away by any HTTP client.
                Add(field, $"Must not be '{value}' (it is a path segment of every Convertro request).");
            }
        }
        var domain = RequiredText(body, "domain", "Please enter your Convertro Domain (needed to send data to Convertro's server-side API), e.g. acme.convertro.com.", Add);
        if (domain is not null && !IsBareHostName(domain))
        {
            Add("domain", $"Must be a bare host name such as acme.convertro.com, without scheme, path or port; got '{domain}'.");
        }
        else if (domain is not null && allowed.Problem(domain) is { } notAllowed)
        {
            Add("domain", notAllowed);
        }
        var hybrid = OptionalBool(body, "hybridAttributionModel", false, Add);
        var enabled = OptionalBool(body, "enabled", true, Add);
        var secret = Secret(body, "sharedSecret", existing?.SharedSecret, "accept unsigned requests", Add);
        var gdprApiKey = Secret(body, "gdprApiKey", existing?.GdprApiKey, "turn erasing in Convertro off", Add);
        var events = EventsMapping(body, Add, out var warnings);

        if (errors.Count > 0)
        {
            return Result(null, errors, warnings);
        }
        var settings = new WorkspaceSettings
        {
            WorkspaceId = workspaceId,
            Account = account!,
            ClientName = clientName!,
            SiteId = siteId!,
            Domain = domain!.ToLowerInvariant(),
            Events = events,
            HybridAttributionModel = hybrid,
            SharedSecret = secret,
            GdprApiKey = gdprApiKey,
            Enabled = enabled,
            UpdatedAt = now,
        };
        return Result(settings, errors, warnings);
    }

    public static bool IsBareHostName(string domain) =>
        domain.Length <= 253 && Uri.CheckHostName(domain) is UriHostNameType.Dns or UriHostNameType.IPv4;

    private static WorkspaceSettingsParseResult Result(
        WorkspaceSettings? settings, Dictionary<string, List<string>> errors, IReadOnlyList<string> warnings) =>
        new(settings, errors.ToDictionary(e => e.Key, e => e.Value.ToArray()), warnings);

    private static string? RequiredText(JsonElement body, string field, string missing, Action<string, string> add)
    {
        if (!body.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null
            || (value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString())))
        {
            add(field, missing);
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            add(field, $"Must be a string; got {Segment.SegmentEventValidator.Describe(value)}.");
            return null;
        }
        var text = value.GetString()!.Trim();
        if (text.Length > MaxTextLength)
        {
            add(field, $"Must be at most {MaxTextLength} characters; got {text.Length}.");
            return null;
        }
        return text;
    }

    private static bool OptionalBool(JsonElement body, string field, bool fallback, Action<string, string> add)
    {
        if (!body.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }
        add(field, $"Must be true or false; got {Segment.SegmentEventValidator.Describe(value)}.");
        return fallback;
    }

    /// <summary>A write-only secret: absent keeps <paramref name="stored"/>, null removes it, a string replaces it.</summary>
    /// <param name="offMeans">What removing it does, for the error message.</param>
    private static string? Secret(JsonElement body, string field, string? stored, string offMeans, Action<string, string> add)
    {
        if (!body.TryGetProperty(field, out var value))
        {
            return stored;
        }
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(value.GetString()))
        {
            add(field, $"Must be a non-empty string; leave it out to keep the stored one, or send null to remove it and {offMeans}.");
            return stored;
        }
        var secret = value.GetString()!;
        if (secret.Length > 1024)
        {
            add(field, "Must be at most 1024 characters.");
        }
        return secret;
    }

    private static Dictionary<string, string> EventsMapping(
        JsonElement body, Action<string, string> add, out List<string> warnings)
    {
        warnings = [];
        var events = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!body.TryGetProperty("events", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return events;
        }
        var pairs = EventsMappingReader.Read(value, add);
        if (pairs.Count > MaxEvents)
        {
            add("events", $"At most {MaxEvents} mappings are allowed; got {pairs.Count}.");
            return events;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, mapped) in pairs)
        {
            if (!seen.Add(EventMapping.NormalizeKey(key)))
            {
                add("events", $"'{key}' is mapped more than once (names are compared ignoring case and surrounding spaces).");
                continue;
            }
            events[key] = mapped;
            if (ConvertroMapper.IsOrderCompleted(key) || ConvertroMapper.IsApplicationInstalled(key))
            {
                warnings.Add($"events: the mapping for '{key}' has no effect; {ConvertroMapper.FixedRouteNote(key)}");
            }
        }
        return events;
    }
}
