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

    /// <summary>Every workspace, sorted by id (one partition each: a scan of a small table).</summary>
    public async Task<IReadOnlyList<WorkspaceSettings>> ListAsync(CancellationToken ct)
    {
        var all = new List<WorkspaceSettings>();
        try
        {
            await foreach (var entity in Table.QueryAsync<TableEntity>(e => e.RowKey == RowKey, cancellationToken: ct))
            {
                all.Add(FromEntity(entity));
            }
        }
        catch (RequestFailedException ex) when (StorageErrors.IsTableNotFound(ex))
        {
            // No table yet: no workspace.
        }
        return [.. all.OrderBy(w => w.WorkspaceId, StringComparer.Ordinal)];
    }

    public Task SaveAsync(WorkspaceSettings settings, CancellationToken ct) =>
        KnownTables.WithTableAsync(Table, () => Table.UpsertEntityAsync(ToEntity(settings), TableUpdateMode.Replace, ct), ct);

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
        ["GdprApiKey"] = s.GdprApiKey,
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
        GdprApiKey = e.GetString("GdprApiKey"),
        Enabled = e.GetBoolean("Enabled") ?? true,
        UpdatedAt = e.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue,
    };
}
