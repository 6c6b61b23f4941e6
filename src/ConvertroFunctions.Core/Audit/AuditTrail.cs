using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Storage;
using Microsoft.AspNetCore.Http;

namespace ConvertroFunctions.Core.Audit;

/// <summary>
/// The <c>Audit</c> table: one row per admin change, in one partition, RowKeys newest first (an
/// inverted time, as dead-letter ids). Admin changes come at a person's pace, and user purges at
/// Segment's: far below a partition's 2,000 writes a second. Kept as long as dead letters
/// (<c>DeadLetters__RetentionDays</c>); the retention job removes older rows.
/// </summary>
public sealed partial class AuditTrail(StorageClients clients, AuditCaller caller, TimeProvider time)
{
    public const string TableName = "Audit";
    public const int MaxPage = 1000;
    private const string Partition = "audit";

    public TableClient Table { get; } = clients.Tables.GetTableClient(TableName);

    /// <summary>Records <paramref name="changes"/> to <paramref name="workspaceId"/>, made by the caller of <paramref name="request"/>.</summary>
    public Task RecordAsync(HttpRequest request, string workspaceId, IEnumerable<AuditChange> changes, CancellationToken ct) =>
        RecordAsync(caller.Of(request), workspaceId, changes, ct);

    public Task RecordAsync(HttpRequest request, string workspaceId, AuditChange change, CancellationToken ct) =>
        RecordAsync(request, workspaceId, [change], ct);

    /// <summary>Records changes made by <paramref name="key"/> (a caller that is not an HTTP request names itself).</summary>
    public async Task RecordAsync(string key, string workspaceId, IEnumerable<AuditChange> changes, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        // One tick apart, in order: listed newest first, a PUT's secret change shows above its replacement.
        foreach (var (change, i) in changes.Select((c, i) => (c, i)))
        {
            var at = now.AddTicks(i);
            var entity = new TableEntity(Partition, DeadLetter.NewId(at))
            {
                ["At"] = at, ["Action"] = change.Action, ["WorkspaceId"] = workspaceId, ["Key"] = key, ["Detail"] = change.Detail,
            };
            await KnownTables.WithTableAsync(Table, () => Table.AddEntityAsync(entity, ct), ct);
        }
    }

    /// <summary>
    /// Up to <paramref name="limit"/> records, newest first, after <paramref name="continuation"/>
    /// (the last id of the previous page); the continuation is null after the last page.
    /// </summary>
    /// <exception cref="FormatException">The continuation is not one this API gave.</exception>
    public async Task<(IReadOnlyList<AuditRecord> Items, string? Continuation)> PageAsync(int limit, string? continuation, CancellationToken ct)
    {
        if (continuation is not null && !IdPattern().IsMatch(continuation))
        {
            throw new FormatException("Not an audit continuation.");
        }
        var filter = continuation is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {Partition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey gt {continuation}");
        var items = new List<AuditRecord>(limit + 1);
        try
        {
            // One more than asked says whether there is a next page.
            await foreach (var row in Table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit + 1, MaxPage), cancellationToken: ct))
            {
                items.Add(new AuditRecord(row.RowKey, row.GetDateTimeOffset("At") ?? default, row.GetString("Action"), row.GetString("WorkspaceId"),
                    row.GetString("Key"), row.GetString("Detail")));
                if (items.Count > limit)
                {
                    break;
                }
            }
        }
        catch (RequestFailedException ex) when (StorageErrors.IsTableNotFound(ex))
        {
            // No table yet: no change recorded.
        }
        if (items.Count <= limit)
        {
            return (items, null);
        }
        items.RemoveAt(limit);
        return (items, items[^1].Id);
    }

    /// <summary>Removes the records written before <paramref name="before"/>; returns how many.</summary>
    public async Task<int> DeleteOlderThanAsync(DateTimeOffset before, CancellationToken ct)
    {
        var old = new List<(string, string)>();
        try
        {
            await foreach (var row in Table.QueryAsync<TableEntity>(
                               TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {DeadLetter.OlderThan(before)}"),
                               select: ["PartitionKey", "RowKey"], cancellationToken: ct))
            {
                old.Add((row.PartitionKey, row.RowKey));
            }
        }
        catch (RequestFailedException ex) when (StorageErrors.IsTableNotFound(ex))
        {
            return 0;
        }
        await TableDeletes.DeleteAsync(Table, old, clients.Transactions, ct);
        return old.Count;
    }

    [GeneratedRegex("^[0-9]{19}-[0-9a-f]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
