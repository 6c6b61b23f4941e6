using System.Text.Json.Serialization;
using ConvertroFunctions.Core.Workspaces;

namespace ConvertroFunctions.Core.Admin;

/// <summary>Workspace settings as the admin API shows them: secrets are never echoed, only whether one is set.</summary>
public sealed record WorkspaceView(
    string WorkspaceId,
    string Account,
    string ClientName,
    string SiteId,
    string Domain,
    IReadOnlyDictionary<string, string> Events,
    bool HybridAttributionModel,
    bool Enabled,
    bool SharedSecretSet,
    bool GdprApiKeySet,
    DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Warnings = null)
{
    public static WorkspaceView Of(WorkspaceSettings s, IReadOnlyList<string>? warnings = null) => new(
        s.WorkspaceId, s.Account, s.ClientName, s.SiteId, s.Domain, s.Events, s.HybridAttributionModel,
        s.Enabled, s.SharedSecret is not null, s.GdprApiKey is not null, s.UpdatedAt, warnings is { Count: > 0 } ? warnings : null);
}
