using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using ConvertroFunctions.Core.Ledger;
using ConvertroFunctions.Core.Storage;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Privacy;

/// <summary>One visitor code (sid) linked to one user of a workspace.</summary>
public readonly record struct UserLink(string UserId, string Sid);

/// <summary>
/// Which visitor codes (sid) this product linked to each user id in its own <c>api/user</c> calls:
/// what a Segment delete must erase in Convertro. One table per month, <c>Links{yyyyMM}</c>:
/// PartitionKey <c>{workspace}.{n}</c> (one of <see cref="Partitions"/> by the user's keyed hash),
/// RowKey <c>{user key}.{sid}</c>, so the links of a queue message are written in a few
/// transactions and one user's are a range read. Written before the users call is sent (a crash
/// never leaves a sent link unrecorded), once per link per <see cref="RememberFor"/> per process; whole months are
/// dropped after <see cref="PrivacyOptions.LinkRetentionDays"/>.
/// </summary>
public sealed class LinkStore(StorageClients clients, UserKeys keys, TimeProvider time, IOptions<PrivacyOptions> options)
{
    public const int Partitions = 8;
    private const int RememberedMax = 100_000;

    /// <summary>
    /// How long this process trusts that a link it wrote is still there. A deletion handled by another
    /// instance removes the row without this process knowing; after this long a returning user's
    /// link is written again (docs/operations.md, "Personal data").
    /// </summary>
    public static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _written = new();

    /// <summary>The links' tables: one per UTC month.</summary>
    public static DatedTables Tables { get; } = new("Links", monthly: true);

    public static string TableName(DateTimeOffset at) => Tables.NameFor(at);

    private static string PartitionOf(string workspaceId, string userKey) => LedgerKeys.PartitionFor(workspaceId, userKey, Partitions);

    /// <summary>Remembers that each sid was linked to its user: one upsert transaction per partition, for the links not yet written this month.</summary>
    public async Task RecordAsync(string workspaceId, IReadOnlyCollection<UserLink> links, CancellationToken ct)
    {
        if (links.Count == 0)
        {
            return;
        }
        var now = time.GetUtcNow();
        var name = TableName(now);
        var rows = new List<(string Remembered, string Partition, string RowKey)>();
        foreach (var link in links.Distinct())
        {
            var userKey = await keys.KeyOfAsync(workspaceId, link.UserId, ct);
            var remembered = $"{name}|{workspaceId}|{userKey}.{link.Sid}";
            if (!(_written.TryGetValue(remembered, out var writtenAt) && now - writtenAt < RememberFor))
            {
                rows.Add((remembered, PartitionOf(workspaceId, userKey), $"{userKey}.{link.Sid}"));
            }
        }
        if (rows.Count == 0)
        {
            return;
        }
        try
        {
            await WriteAsync(name, rows, now, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The month's table was deleted under us (upserts cannot miss a row): create it again.
            Tables.Forget(clients.Tables, name);
            await WriteAsync(name, rows, now, ct);
        }
        if (_written.Count >= RememberedMax)
        {
            _written.Clear();
        }
        foreach (var row in rows)
        {
            _written[row.Remembered] = now;
        }
    }

    private async Task WriteAsync(string name, List<(string Remembered, string Partition, string RowKey)> rows, DateTimeOffset now, CancellationToken ct)
    {
        var table = await Tables.CreatedAsync(clients.Tables, name, ct);
        TableBatch.ThrowIfAnyFailed(await TableBatch.SubmitAsync(table, [.. rows.Select(r => new TableTransactionAction(
            TableTransactionActionType.UpsertReplace, new TableEntity(r.Partition, r.RowKey) { ["LinkedAt"] = now }))], clients.Transactions, ct));
    }

    /// <summary>Every sid linked to the user within the retention, and the tables holding them.</summary>
    public async Task<IReadOnlyList<(string Table, string Sid)>> LinksAsync(string workspaceId, string userKey, CancellationToken ct)
    {
        var links = new List<(string, string)>();
        var partition = PartitionOf(workspaceId, userKey);
        // RowKeys of this user run from "{key}." up to, not including, "{key}/" ('/' follows '.').
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {userKey + "."} and RowKey lt {userKey + "/"}");
        foreach (var name in RetainedTables())
        {
            try
            {
                await foreach (var row in clients.Tables.GetTableClient(name).QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: ct))
                {
                    links.Add((name, row.RowKey[(userKey.Length + 1)..]));
                }
            }
            catch (RequestFailedException ex) when (StorageErrors.IsTableNotFound(ex))
            {
                // No links that month.
            }
        }
        return links;
    }

    /// <summary>Forgets the user's <paramref name="links"/>, as <see cref="LinksAsync"/> found them.</summary>
    public async Task ForgetAsync(string workspaceId, string userKey, IReadOnlyList<(string Table, string Sid)> links, CancellationToken ct)
    {
        var partition = PartitionOf(workspaceId, userKey);
        foreach (var group in links.GroupBy(l => l.Table))
        {
            await TableDeletes.DeleteAsync(clients.Tables.GetTableClient(group.Key), group.Select(l => (partition, $"{userKey}.{l.Sid}")), clients.Transactions, ct);
        }
        foreach (var key in _written.Keys.Where(k => k.Contains($"|{workspaceId}|{userKey}.", StringComparison.Ordinal)))
        {
            _written.TryRemove(key, out _);
        }
    }

    /// <summary>Drops the months whose newest link is older than the retention.</summary>
    public Task<IReadOnlyList<string>> DropExpiredAsync(CancellationToken ct) =>
        Tables.DropEndedBeforeAsync(clients.Tables, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime.AddDays(-options.Value.LinkRetentionDays)), ct);

    /// <summary>This month's table and the ones before it that may still hold links within the retention.</summary>
    private IEnumerable<string> RetainedTables()
    {
        var now = time.GetUtcNow();
        var oldest = now.AddDays(-options.Value.LinkRetentionDays);
        for (var month = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero); month.AddMonths(1) > oldest; month = month.AddMonths(-1))
        {
            yield return TableName(month);
        }
    }
}
