using Azure;
using Azure.Data.Tables;
using ConvertroFunctions.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Ledger;

/// <summary>
/// The event ledger (docs/architecture.md, "The event ledger"; docs/decisions.md): one record per
/// event in <c>Events{yyyyMMdd}</c>, which both keeps a repeat of a messageId from being sent again
/// for at least 24 hours and answers "what happened to messageId X" with a point read. Deliveries
/// claim and record events a queue message at a time through a <see cref="LedgerSession"/>, in
/// entity-group transactions, so an event costs about one table request in a Segment-sized batch.
/// Tables older than yesterday are dropped whole.
/// </summary>
public sealed partial class EventLedger(
    StorageClients clients, TimeProvider time, IOptions<LedgerOptions> options, ILogger<EventLedger> logger)
{
    /// <summary>The day whose first claim dropped the expired tables (once per day per instance).</summary>
    private string? _droppedFor;

    public bool Enabled => options.Value.Enabled;

    internal TimeProvider Time => time;

    internal ILogger Logger => logger;

    internal TimeSpan Lease => TimeSpan.FromSeconds(options.Value.LeaseSeconds);

    /// <summary>Starts recording the events of one queue message.</summary>
    public LedgerSession Begin(string workspaceId) => new(this, workspaceId);

    /// <summary>The event's record: today's table, else yesterday's (a point read each); null when unknown.</summary>
    public async Task<EventRecord?> LookupAsync(string workspaceId, string messageId, CancellationToken ct) =>
        (await FindAsync(workspaceId, messageId, ct))?.Record;

    /// <summary>
    /// Marks an event queued again by a person (a replay): its lookup says "queued" until a delivery
    /// picks it up. Returns the record's table, for the replayed envelope's retry state.
    /// </summary>
    public async Task<string?> MarkQueuedAsync(string workspaceId, string messageId, CancellationToken ct)
    {
        if (!Enabled)
        {
            return null;
        }
        if (await FindAsync(workspaceId, messageId, ct) is not { } found)
        {
            return null;
        }
        var update = new TableEntity(PartitionFor(workspaceId, messageId), LedgerKeys.RowKeyFor(messageId))
        {
            ["State"] = EventState.Queued.ToString(),
            ["Attempts"] = 0, // a replay starts the retry schedule afresh
            ["UpdatedAt"] = time.GetUtcNow(),
        };
        await found.Table.UpdateEntityAsync(update, ETag.All, TableUpdateMode.Merge, ct);
        return found.Table.Name;
    }

    /// <summary>Drops ledger tables older than yesterday (their records are past the 24–48 h window).</summary>
    public async Task<IReadOnlyList<string>> DropExpiredAsync(CancellationToken ct)
    {
        var dropped = await LedgerKeys.Tables.DropEndedBeforeAsync(
            clients.Tables, DateOnly.FromDateTime(time.GetUtcNow().AddDays(-1).UtcDateTime), ct);
        foreach (var table in dropped)
        {
            LogDropped(logger, table);
        }
        return dropped;
    }

    internal TableClient Table(string name) => clients.Tables.GetTableClient(name);

    /// <summary>The event's record and its table: today's, else yesterday's (a point read each).</summary>
    private async Task<(TableClient Table, EventRecord Record)?> FindAsync(string workspaceId, string messageId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        foreach (var day in new[] { now, now.AddDays(-1) })
        {
            var table = Table(LedgerKeys.TableName(day));
            if (await ReadAsync(table, workspaceId, messageId, ct) is { } found)
            {
                return (table, found.Record);
            }
        }
        return null;
    }

    internal string PartitionFor(string workspaceId, string messageId) =>
        LedgerKeys.PartitionFor(workspaceId, messageId, options.Value.Partitions);

    internal async Task<(EventRecord Record, ETag ETag)?> ReadAsync(TableClient table, string workspaceId, string messageId, CancellationToken ct)
    {
        try
        {
            var response = await table.GetEntityIfExistsAsync<TableEntity>(
                PartitionFor(workspaceId, messageId), LedgerKeys.RowKeyFor(messageId), cancellationToken: ct);
            return response.HasValue ? (EventRecordEntity.FromEntity(response.Value!, workspaceId), response.Value!.ETag) : null;
        }
        catch (RequestFailedException ex) when (ex.Status == 404) // the table, or a key it cannot hold
        {
            return null;
        }
    }

    /// <summary>Today's table, created (and the expired ones dropped) once per day per instance.</summary>
    internal async Task<TableClient> TodayAsync(DateTimeOffset now, CancellationToken ct)
    {
        var name = LedgerKeys.TableName(now);
        var today = await LedgerKeys.Tables.CreatedAsync(clients.Tables, name, ct);
        if (Interlocked.Exchange(ref _droppedFor, name) != name)
        {
            try
            {
                await DropExpiredAsync(CancellationToken.None);
            }
            catch (RequestFailedException ex)
            {
                LogDropFailed(logger, ex);
            }
        }
        return today;
    }

    /// <summary>Today's table was deleted under us (by hand): the next claim creates it again.</summary>
    internal void TableMissing(string name) => LedgerKeys.Tables.Forget(clients.Tables, name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped event ledger table {Table}: older than the 24-hour window")]
    private static partial void LogDropped(ILogger logger, string table);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not drop expired event ledger tables; the retention job or tomorrow's first delivery will try again")]
    private static partial void LogDropFailed(ILogger logger, Exception exception);
}
