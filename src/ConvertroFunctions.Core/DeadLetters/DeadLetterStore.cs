using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;
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

    /// <summary>
    /// One page of a workspace's dead letters, newest first (RowKeys sort by inverted time),
    /// optionally of one reason code; <c>continuation</c> is null after the last page.
    /// </summary>
    public async Task<(IReadOnlyList<DeadLetter> Items, string? Continuation)> PageAsync(
        string workspaceId, string? reasonCode, int limit, string? continuation, CancellationToken ct)
    {
        var filter = reasonCode is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {workspaceId}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {workspaceId} and ReasonCode eq {reasonCode}");
        var items = new List<DeadLetter>();
        var token = continuation is null ? null : Encoding.UTF8.GetString(Base64Url.DecodeFromChars(continuation));
        try
        {
            do
            {
                // With a filter, Table storage may answer a page short (even empty) and a token: fill up to the limit.
                await foreach (var page in Table.QueryAsync<TableEntity>(filter, maxPerPage: limit - items.Count, cancellationToken: ct)
                                   .AsPages(token, limit - items.Count))
                {
                    items.AddRange(page.Values.Select(FromEntity));
                    token = page.ContinuationToken;
                    break;
                }
            }
            while (items.Count < limit && token is not null);
        }
        catch (RequestFailedException ex) when (StorageErrors.IsTableNotFound(ex))
        {
            // No table yet: nothing has been dead-lettered.
            token = null;
        }
        return (items, token is null ? null : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(token)));
    }

    /// <summary>Every dead letter of a workspace (optionally of one reason), page by page.</summary>
    public async IAsyncEnumerable<DeadLetter> AllAsync(string workspaceId, string? reasonCode, [EnumeratorCancellation] CancellationToken ct)
    {
        string? continuation = null;
        do
        {
            var (items, next) = await PageAsync(workspaceId, reasonCode, MaxPage, continuation, ct);
            foreach (var item in items)
            {
                yield return item;
            }
            continuation = next;
        }
        while (continuation is not null);
    }

    /// <summary>The largest page Table storage serves.</summary>
    public const int MaxPage = 1000;

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

    /// <returns>false when there was no such dead letter.</returns>
    public async Task<bool> DeleteAsync(string workspaceId, string id, CancellationToken ct)
    {
        try
        {
            var response = await Table.DeleteEntityAsync(workspaceId, id, ETag.All, ct);
            return response.Status != 404;
        }
        catch (RequestFailedException ex) when (StorageErrors.IsTableNotFound(ex) || ex.Status == 404)
        {
            return false;
        }
    }

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
