using Azure.Data.Tables;
using ConvertroFunctions.Core.Storage;

namespace ConvertroFunctions.LocalHost.Timers;

/// <summary>
/// A timer's schedule status, as the Functions host's schedule monitor keeps it: the occurrence that
/// last ran (null before the first run) and the next one due. A stored <see cref="Next"/> in the past
/// at start means a run was missed while the host was stopped.
/// </summary>
public sealed record TimerStatus(DateTimeOffset? Last, DateTimeOffset Next);

/// <summary>Where LocalHost keeps each timer's <see cref="TimerStatus"/> between runs.</summary>
public interface ITimerStatusStore
{
    Task<TimerStatus?> ReadAsync(string function, CancellationToken ct);

    Task WriteAsync(string function, TimerStatus status, CancellationToken ct);
}

/// <summary>
/// <see cref="TimerStatus"/> in the table <c>LocalHostTimers</c> (one row per timer function), in
/// LocalHost's own storage (docs/architecture.md, "Two hosts").
/// </summary>
public sealed class TableTimerStatusStore(StorageClients clients) : ITimerStatusStore
{
    public const string TableName = "LocalHostTimers";
    private const string Partition = "timer";

    private TableClient Table => clients.Tables.GetTableClient(TableName);

    public async Task<TimerStatus?> ReadAsync(string function, CancellationToken ct)
    {
        var table = await KnownTables.EnsureAsync(Table, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, function, cancellationToken: ct);
        if (!row.HasValue || row.Value!.GetDateTimeOffset(nameof(TimerStatus.Next)) is not { } next)
        {
            return null;
        }
        return new TimerStatus(row.Value.GetDateTimeOffset(nameof(TimerStatus.Last)), next);
    }

    public async Task WriteAsync(string function, TimerStatus status, CancellationToken ct)
    {
        var table = await KnownTables.EnsureAsync(Table, ct);
        var row = new TableEntity(Partition, function)
        {
            [nameof(TimerStatus.Last)] = status.Last,
            [nameof(TimerStatus.Next)] = status.Next,
        };
        await KnownTables.WithTableAsync(table, () => table.UpsertEntityAsync(row, TableUpdateMode.Replace, ct), ct);
    }
}
