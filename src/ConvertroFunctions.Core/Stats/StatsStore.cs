using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Storage;

namespace ConvertroFunctions.Core.Stats;

/// <summary>
/// Hourly counters in one table per month, <c>Stats{yyyyMM}</c>: PartitionKey the workspace, RowKey
/// <c>{yyyyMMddHH}.{instance}</c>. Each instance writes only its own rows (its running totals), so
/// instances never contend; a read sums the rows of the hours asked for, one partition range scan
/// per month. Whole months are dropped after the retention (docs/operations.md).
/// </summary>
public sealed class StatsStore(StorageClients clients)
{
    /// <summary>The counters' tables: one per UTC month.</summary>
    public static DatedTables Tables { get; } = new("Stats", monthly: true);

    public static string TableName(DateTimeOffset hour) => Tables.NameFor(hour);

    private static string HourKey(DateTimeOffset hour) => hour.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    /// <summary>Writes an instance's totals: one upsert transaction per table and workspace (<see cref="TableBatch"/>).</summary>
    public async Task WriteAsync(string instanceId, IReadOnlyList<HourSnapshot> hours, CancellationToken ct)
    {
        foreach (var month in hours.GroupBy(h => TableName(h.Hour)))
        {
            var table = clients.Tables.GetTableClient(month.Key);
            var actions = month.Select(h => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(h.WorkspaceId, $"{HourKey(h.Hour)}.{instanceId}")
            {
                ["Received"] = h.Received,
                ["Delivered"] = h.Delivered,
                ["Retrying"] = h.Retrying,
                ["Skipped"] = JsonSerializer.Serialize(new Dictionary<string, long>(h.SkippedByReason), CoreJsonContext.Default.DictionaryStringInt64),
                ["DeadLettered"] = JsonSerializer.Serialize(new Dictionary<string, long>(h.DeadLetteredByReason), CoreJsonContext.Default.DictionaryStringInt64),
            })).ToList();
            TableBatch.ThrowIfAnyFailed(await KnownTables.WithTableAsync(table, () => TableBatch.SubmitAsync(table, actions, clients.Transactions, ct), ct));
        }
    }

    /// <summary>Every instance's rows for the hours from <paramref name="from"/> up to (not including) <paramref name="to"/>, summed per hour.</summary>
    public async Task<IReadOnlyDictionary<DateTimeOffset, HourSnapshot>> ReadAsync(
        string workspaceId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var sums = new Dictionary<DateTimeOffset, HourSnapshot>();
        for (var month = new DateTimeOffset(from.Year, from.Month, 1, 0, 0, 0, TimeSpan.Zero); month < to; month = month.AddMonths(1))
        {
            var table = clients.Tables.GetTableClient(TableName(month));
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {workspaceId} and RowKey ge {HourKey(from)} and RowKey lt {HourKey(to)}");
            try
            {
                await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
                {
                    var hour = DateTimeOffset.ParseExact(row.RowKey[..10], "yyyyMMddHH", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                    var add = new HourSnapshot(workspaceId, hour, row.GetInt64("Received") ?? 0, row.GetInt64("Delivered") ?? 0, row.GetInt64("Retrying") ?? 0,
                        Reasons(row.GetString("Skipped")), Reasons(row.GetString("DeadLettered")));
                    sums[hour] = sums.TryGetValue(hour, out var sum) ? Add(sum, add) : add;
                }
            }
            catch (RequestFailedException ex) when (StorageErrors.IsTableNotFound(ex))
            {
                // Nothing counted that month.
            }
        }
        return sums;
    }

    /// <summary>Drops the whole months of counters that ended before <paramref name="before"/>.</summary>
    public Task<IReadOnlyList<string>> DropBeforeAsync(DateTimeOffset before, CancellationToken ct) =>
        Tables.DropEndedBeforeAsync(clients.Tables, DateOnly.FromDateTime(before.UtcDateTime), ct);

    private static Dictionary<string, long> Reasons(string? json) =>
        json is { Length: > 0 } ? JsonSerializer.Deserialize(json, CoreJsonContext.Default.DictionaryStringInt64) ?? [] : [];

    private static HourSnapshot Add(HourSnapshot a, HourSnapshot b) => a with
    {
        Received = a.Received + b.Received,
        Delivered = a.Delivered + b.Delivered,
        Retrying = a.Retrying + b.Retrying,
        SkippedByReason = Merge(a.SkippedByReason, b.SkippedByReason),
        DeadLetteredByReason = Merge(a.DeadLetteredByReason, b.DeadLetteredByReason),
    };

    private static Dictionary<string, long> Merge(IReadOnlyDictionary<string, long> a, IReadOnlyDictionary<string, long> b)
    {
        var merged = new Dictionary<string, long>(a, StringComparer.Ordinal);
        foreach (var (reason, count) in b)
        {
            merged[reason] = merged.GetValueOrDefault(reason) + count;
        }
        return merged;
    }
}
