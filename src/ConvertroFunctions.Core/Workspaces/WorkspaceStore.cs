using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Storage;

namespace ConvertroFunctions.Core.Workspaces;

/// <summary>Workspace settings in the <c>Workspaces</c> table: one entity per workspace (PartitionKey = id).</summary>
public class WorkspaceStore
{
    private const string RowKey = "settings";

    public WorkspaceStore(StorageClients clients)
    {
        Table = clients.Tables.GetTableClient(StorageNames.WorkspacesTable);
    }

    public TableClient Table { get; }

    /// <summary>Virtual so tests can count reads.</summary>
    public virtual async Task<WorkspaceSettings?> GetAsync(string workspaceId, CancellationToken ct)
    {
        try
        {
            var response = await Table.GetEntityIfExistsAsync<TableEntity>(workspaceId, RowKey, cancellationToken: ct);
            return response.HasValue ? FromEntity(response.Value!) : null;
        }
        catch (RequestFailedException ex) when (StorageErrors.IsTableNotFound(ex))
        {
            return null;
        }
    }

    public Task SaveAsync(WorkspaceSettings settings, CancellationToken ct) =>
        StorageErrors.WithTableAsync(Table, () => Table.UpsertEntityAsync(ToEntity(settings), TableUpdateMode.Replace, ct), ct);

    /// <returns>false when there was nothing to delete.</returns>
    public async Task<bool> DeleteAsync(string workspaceId, CancellationToken ct)
    {
        try
        {
            var response = await Table.DeleteEntityAsync(workspaceId, RowKey, ETag.All, ct);
            return response.Status != 404;
        }
        catch (RequestFailedException ex) when (StorageErrors.IsTableNotFound(ex))
        {
            return false;
        }
    }

    private static TableEntity ToEntity(WorkspaceSettings s) => new(s.WorkspaceId, RowKey)
    {
        ["Account"] = s.Account,
        ["ClientName"] = s.ClientName,
        ["SiteId"] = s.SiteId,
        ["Domain"] = s.Domain,
        ["Events"] = JsonSerializer.Serialize(new Dictionary<string, string>(s.Events), CoreJsonContext.Default.DictionaryStringString),
        ["HybridAttributionModel"] = s.HybridAttributionModel,
        ["SharedSecret"] = s.SharedSecret,
        ["Enabled"] = s.Enabled,
        ["UpdatedAt"] = s.UpdatedAt,
    };

    private static WorkspaceSettings FromEntity(TableEntity e) => new()
    {
        WorkspaceId = e.PartitionKey,
        Account = e.GetString("Account") ?? string.Empty,
        ClientName = e.GetString("ClientName") ?? string.Empty,
        SiteId = e.GetString("SiteId") ?? string.Empty,
        Domain = e.GetString("Domain") ?? string.Empty,
        Events = JsonSerializer.Deserialize(e.GetString("Events") ?? "{}", CoreJsonContext.Default.DictionaryStringString) ?? [],
        HybridAttributionModel = e.GetBoolean("HybridAttributionModel") ?? false,
        SharedSecret = e.GetString("SharedSecret"),
        Enabled = e.GetBoolean("Enabled") ?? true,
        UpdatedAt = e.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue,
    };
}
