using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Storage;

namespace ConvertroFunctions.Core.DeadLetters;

/// <summary>The <c>DeadLetters</c> table: PartitionKey = workspace id, RowKey = dead-letter id.</summary>
public sealed class DeadLetterStore
{
    public DeadLetterStore(StorageClients clients)
    {
        Table = clients.Tables.GetTableClient(StorageNames.DeadLettersTable);
    }

    public TableClient Table { get; }

    public Task AddAsync(DeadLetter letter, CancellationToken ct) =>
        StorageErrors.WithTableAsync(Table, () => Table.AddEntityAsync(ToEntity(letter), ct), ct);

    /// <summary>A workspace's dead letters, newest first.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(string workspaceId, int limit, CancellationToken ct)
    {
        var letters = new List<DeadLetter>();
        try
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {workspaceId}");
            await foreach (var entity in Table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit, 1000), cancellationToken: ct))
            {
                letters.Add(FromEntity(entity));
                if (letters.Count >= limit)
                {
                    break;
                }
            }
        }
        catch (RequestFailedException ex) when (StorageErrors.IsTableNotFound(ex))
        {
            // No table yet: nothing has been dead-lettered.
        }
        return letters;
    }

    public async Task<DeadLetter?> GetAsync(string workspaceId, string id, CancellationToken ct)
    {
        try
        {
            var response = await Table.GetEntityIfExistsAsync<TableEntity>(workspaceId, id, cancellationToken: ct);
            return response.HasValue ? FromEntity(response.Value!) : null;
        }
        catch (RequestFailedException ex) when (StorageErrors.IsTableNotFound(ex))
        {
            return null;
        }
    }

    public Task DeleteAsync(string workspaceId, string id, CancellationToken ct) =>
        Table.DeleteEntityAsync(workspaceId, id, ETag.All, ct);

    private static TableEntity ToEntity(DeadLetter d) => new(d.WorkspaceId, d.Id)
    {
        ["MessageId"] = d.MessageId,
        ["EventType"] = d.EventType,
        ["EventName"] = d.EventName,
        ["ReasonCode"] = d.ReasonCode,
        ["Reason"] = d.Reason,
        ["LastStatus"] = d.LastStatus,
        ["ResponseExcerpt"] = d.ResponseExcerpt,
        ["Attempts"] = d.Attempts,
        ["FirstFailureAt"] = d.FirstFailureAt,
        ["LastFailureAt"] = d.LastFailureAt,
        ["ReceivedAt"] = d.ReceivedAt,
        // Binary keeps the raw bytes exactly and fits 64 KiB; events are at most 32 KiB.
        ["Event"] = d.Event.ToArray(),
        ["DeliveredCalls"] = JsonSerializer.Serialize(d.DeliveredCalls.ToArray(), CoreJsonContext.Default.StringArray),
    };

    private static DeadLetter FromEntity(TableEntity e) => new()
    {
        Id = e.RowKey,
        WorkspaceId = e.PartitionKey,
        MessageId = e.GetString("MessageId"),
        EventType = e.GetString("EventType"),
        EventName = e.GetString("EventName"),
        ReasonCode = e.GetString("ReasonCode") ?? ReasonCodes.PoisonMessage,
        Reason = e.GetString("Reason") ?? string.Empty,
        LastStatus = e.GetInt32("LastStatus"),
        ResponseExcerpt = e.GetString("ResponseExcerpt"),
        Attempts = e.GetInt32("Attempts") ?? 0,
        FirstFailureAt = e.GetDateTimeOffset("FirstFailureAt") ?? DateTimeOffset.MinValue,
        LastFailureAt = e.GetDateTimeOffset("LastFailureAt") ?? DateTimeOffset.MinValue,
        ReceivedAt = e.GetDateTimeOffset("ReceivedAt") ?? DateTimeOffset.MinValue,
        Event = e.GetBinary("Event") ?? [],
        DeliveredCalls = JsonSerializer.Deserialize(e.GetString("DeliveredCalls") ?? "[]", CoreJsonContext.Default.StringArray) ?? [],
    };
}
