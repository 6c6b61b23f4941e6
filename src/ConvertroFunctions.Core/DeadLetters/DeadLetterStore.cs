using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Storage;

namespace ConvertroFunctions.Core.DeadLetters;

/// <summary>
/// The <c>DeadLetters</c> table (PartitionKey = workspace id, RowKey = dead-letter id, newest first),
/// and its index by user, <c>DeadLetterUsers</c> (PartitionKey <c>{workspace}.{user key}</c>, RowKey
/// the dead-letter id), so a Segment delete purges one user's dead letters with one partition read
/// instead of a scan of the workspace's (docs/decisions.md, "Personal data").
/// </summary>
public sealed class DeadLetterStore
{
    public const string UsersTableName = "DeadLetterUsers";

    public DeadLetterStore(StorageClients clients)
    {
        Table = clients.Tables.GetTableClient(StorageNames.DeadLettersTable);
        Users = clients.Tables.GetTableClient(UsersTableName);
    }

    public TableClient Table { get; }

    private TableClient Users { get; }

    /// <summary>
    /// Writes the letter (again, when a redelivered copy of its event writes the same id). The index
    /// row first: a purge that finds it and no letter deletes nothing wrong; a letter without its row
    /// could escape a purge.
    /// </summary>
    public async Task AddAsync(DeadLetter letter, CancellationToken ct)
    {
        TableKeys.Checked(letter.WorkspaceId, "workspace id");
        if (letter.UserKey is { } userKey)
        {
            await StorageErrors.WithTableAsync(Users, () => Users.UpsertEntityAsync(new TableEntity(UserPartition(letter.WorkspaceId, userKey), letter.Id), cancellationToken: ct), ct);
        }
        await StorageErrors.WithTableAsync(Table, () => Table.UpsertEntityAsync(ToEntity(letter), TableUpdateMode.Replace, ct), ct);
    }

    /// <summary>Removes every dead letter of one user of a workspace, and their index rows; returns how many letters.</summary>
    public async Task<int> PurgeUserAsync(string workspaceId, string userKey, CancellationToken ct)
    {
        var purged = 0;
        var partition = UserPartition(workspaceId, userKey);
        List<string> ids = [];
        try
        {
            await foreach (var row in Users.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), select: ["RowKey"], cancellationToken: ct))
            {
                ids.Add(row.RowKey);
            }
        }
        catch (RequestFailedException ex) when (StorageErrors.IsTableNotFound(ex))
        {
            return 0;
        }
        foreach (var id in ids)
        {
            purged += await DeleteAsync(workspaceId, id, ct) ? 1 : 0;
        }
        // After the letters: a crash in between leaves index rows that find nothing, never a letter without its row.
        await TableDeletes.DeleteAsync(Users, ids.Select(id => (partition, id)), ct);
        return purged;
    }

    /// <summary>Removes every dead letter written before <paramref name="before"/>, in every partition, with their index rows.</summary>
    public async Task<int> DeleteOlderThanAsync(DateTimeOffset before, CancellationToken ct)
    {
        var old = new List<(string WorkspaceId, string Id, string? UserKey)>();
        try
        {
            // Ids sort newest first: every id at or past this one is older.
            await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey ge {DeadLetter.OlderThan(before)}"),
                               select: ["PartitionKey", "RowKey", "UserKey"], cancellationToken: ct))
            {
                old.Add((row.PartitionKey, row.RowKey, row.GetString("UserKey")));
            }
        }
        catch (RequestFailedException ex) when (StorageErrors.IsTableNotFound(ex))
        {
            return 0;
        }
        await TableDeletes.DeleteAsync(Table, old.Select(o => (o.WorkspaceId, o.Id)), ct);
        await TableDeletes.DeleteAsync(Users, old.Where(o => o.UserKey is not null).Select(o => (UserPartition(o.WorkspaceId, o.UserKey!), o.Id)), ct);
        return old.Count;
    }

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
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    /// <summary>Removes a dead letter that was read (replayed, deleted by a person), with its index row.</summary>
    public async Task<bool> DeleteAsync(DeadLetter letter, CancellationToken ct)
    {
        var deleted = await DeleteAsync(letter.WorkspaceId, letter.Id, ct);
        if (letter.UserKey is { } userKey)
        {
            await Users.DeleteEntityAsync(UserPartition(letter.WorkspaceId, userKey), letter.Id, ETag.All, ct);
        }
        return deleted;
    }

    /// <summary>The index partition of one user of a workspace: its rows are the ids of the user's dead letters.</summary>
    private static string UserPartition(string workspaceId, string userKey) => $"{workspaceId}.{userKey}";

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
        ["UserKey"] = d.UserKey,
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
        UserKey = e.GetString("UserKey"),
    };
}
