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
        _transactions = clients.Transactions;
        Users = clients.Tables.GetTableClient(UsersTableName);
    }

    private readonly TableTransactions? _transactions;

    public TableClient Table { get; }

    private TableClient Users { get; }

    /// <summary>
    /// Writes the letter (again, when another copy of its event writes the same id). The index row
    /// first: a letter never exists without the row a purge finds it by. A purge of the same user may
    /// run meanwhile and miss the letter (it read the index before the row was written, or deleted the
    /// row before the letter was written); it leaves a mark (<see cref="PurgedMark"/>), and a writer
    /// that finds a mark newer than its own start removes what it wrote, so no letter of a deleted
    /// user escapes (docs/operations.md, "Personal data"). A deletion's own letter stays: its purge
    /// left that mark, and the letter is how its failed erase gets replayed.
    /// </summary>
    public async Task AddAsync(DeadLetter letter, CancellationToken ct)
    {
        TableKeys.Checked(letter.WorkspaceId, "workspace id");
        var started = DateTimeOffset.UtcNow;
        if (letter.UserKey is { } userKey)
        {
            await KnownTables.WithTableAsync(Users, () => Users.UpsertEntityAsync(new TableEntity(UserPartition(letter.WorkspaceId, userKey), letter.Id), cancellationToken: ct), ct);
        }
        await KnownTables.WithTableAsync(Table, () => Table.UpsertEntityAsync(ToEntity(letter), TableUpdateMode.Replace, ct), ct);
        if (letter.UserKey is { } key && !IsDeletion(letter)
            && (await Users.GetEntityIfExistsAsync<TableEntity>(UserPartition(letter.WorkspaceId, key), PurgedMark, cancellationToken: ct)) is { HasValue: true } mark
            && mark.Value!.GetDateTimeOffset("PurgedAt") > started - ClockSkew)
        {
            await DeleteAsync(letter, ct);
        }
    }

    private static bool IsDeletion(DeadLetter letter) => string.Equals(letter.EventType, "delete", StringComparison.Ordinal);

    /// <summary>
    /// Removes every dead letter of one user of a workspace, and their index rows; returns how many
    /// letters. Marks the user purged first (see <see cref="AddAsync"/>).
    /// </summary>
    public async Task<int> PurgeUserAsync(string workspaceId, string userKey, CancellationToken ct)
    {
        var purged = 0;
        var partition = UserPartition(workspaceId, userKey);
        await KnownTables.WithTableAsync(Users, () => Users.UpsertEntityAsync(
            new TableEntity(partition, PurgedMark) { ["PurgedAt"] = DateTimeOffset.UtcNow }, TableUpdateMode.Replace, ct), ct);
        List<string> ids = [];
        await foreach (var row in Users.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {PurgedMark}"), select: ["RowKey"], cancellationToken: ct))
        {
            ids.Add(row.RowKey);
        }
        foreach (var id in ids)
        {
            purged += await DeleteAsync(workspaceId, id, ct) ? 1 : 0;
        }
        // After the letters: a crash in between leaves index rows that find nothing, never a letter without its row.
        await TableDeletes.DeleteAsync(Users, ids.Select(id => (partition, id)), _transactions, ct);
        return purged;
    }

    /// <summary>
    /// The row a purge leaves in the user's index partition (it sorts before every dead-letter id). Kept
    /// a day (<see cref="DeleteOlderThanAsync"/>): it only matters to a writer that ran at the same time.
    /// </summary>
    public const string PurgedMark = "!purged";

    /// <summary>How far apart two instances' clocks may be.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Removes every dead letter written before <paramref name="before"/>, in every partition, with
    /// their index rows, and purge marks older than a day.
    /// </summary>
    public async Task<int> DeleteOlderThanAsync(DateTimeOffset before, CancellationToken ct)
    {
        var old = new List<(string WorkspaceId, string Id, string? UserKey)>();
        var marks = new List<(string, string)>();
        try
        {
            // Ids sort newest first: every id at or past this one is older.
            await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey ge {DeadLetter.OlderThan(before)}"),
                               select: ["PartitionKey", "RowKey", "UserKey"], cancellationToken: ct))
            {
                old.Add((row.PartitionKey, row.RowKey, row.GetString("UserKey")));
            }
            await foreach (var row in Users.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {PurgedMark} and PurgedAt lt {DateTimeOffset.UtcNow.AddDays(-1)}"),
                               select: ["PartitionKey", "RowKey"], cancellationToken: ct))
            {
                marks.Add((row.PartitionKey, row.RowKey));
            }
        }
        catch (RequestFailedException ex) when (StorageErrors.IsTableNotFound(ex))
        {
            // Nothing dead-lettered yet.
        }
        await TableDeletes.DeleteAsync(Table, old.Select(o => (o.WorkspaceId, o.Id)), _transactions, ct);
        await TableDeletes.DeleteAsync(Users, [.. old.Where(o => o.UserKey is not null).Select(o => (UserPartition(o.WorkspaceId, o.UserKey!), o.Id)), .. marks], _transactions, ct);
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
    public Task<bool> DeleteAsync(DeadLetter letter, CancellationToken ct) => DeleteAsync(letter.WorkspaceId, letter.Id, letter.UserKey, ct);

    /// <summary>
    /// Removes a dead letter and its index row by id: a letter whose event was delivered after all (a
    /// Segment re-send, a replay). False when there was no such letter.
    /// </summary>
    public async Task<bool> DeleteAsync(string workspaceId, string id, string? userKey, CancellationToken ct)
    {
        var deleted = await DeleteAsync(workspaceId, id, ct);
        if (userKey is not null)
        {
            await Users.DeleteEntityAsync(UserPartition(workspaceId, userKey), id, ETag.All, ct);
        }
        return deleted;
    }

    /// <summary>The index partition of one user of a workspace: its rows are the ids of the user's dead letters.</summary>
    private static string UserPartition(string workspaceId, string userKey) => $"{workspaceId}.{userKey}";

    private static TableEntity ToEntity(DeadLetter d)
    {
        var entity = new TableEntity(d.WorkspaceId, d.Id)
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
            ["UserKey"] = d.UserKey,
        };
        // A deletion's letter lists one erase per visitor code: possibly more than one property holds.
        LongStrings.Write(entity, "DeliveredCalls", JsonSerializer.Serialize(d.DeliveredCalls.ToArray(), CoreJsonContext.Default.StringArray));
        return entity;
    }

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
        DeliveredCalls = JsonSerializer.Deserialize(LongStrings.Read(e, "DeliveredCalls") ?? "[]", CoreJsonContext.Default.StringArray) ?? [],
        UserKey = e.GetString("UserKey"),
    };
}
