namespace ConvertroFunctions.Core.Workspaces;

/// <summary>
/// One workspace's Convertro destination settings (docs/api.md, "Workspaces"): the settings Segment's
/// Convertro destination had, plus the webhook's shared secret and an on/off switch.
/// </summary>
public sealed class WorkspaceSettings
{
    private EventMapping? _mapping;

    public required string WorkspaceId { get; init; }

    /// <summary>Convertro Account Name.</summary>
    public required string Account { get; init; }

    public required string ClientName { get; init; }

    public required string SiteId { get; init; }

    /// <summary>Bare host name of the workspace's Convertro endpoint, e.g. acme.convertro.com.</summary>
    public required string Domain { get; init; }

    /// <summary>Segment event name → Convertro event name, as entered (trimmed).</summary>
    public IReadOnlyDictionary<string, string> Events { get; init; } = new Dictionary<string, string>();

    public bool HybridAttributionModel { get; init; }

    /// <summary>Secret Segment signs webhooks with; null when signatures are not checked. Write-only.</summary>
    public string? SharedSecret { get; init; }

    /// <summary>Convertro's GDPR API key: with Convertro__GdprApiUrl, deletions are erased in Convertro too. Write-only.</summary>
    public string? GdprApiKey { get; init; }

    public bool Enabled { get; init; } = true;

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The events mapping prepared for lookups; built once per settings instance.</summary>
    public EventMapping Mapping => _mapping ??= new EventMapping(Events);
}
