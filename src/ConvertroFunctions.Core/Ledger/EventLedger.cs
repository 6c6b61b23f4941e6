using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using ConvertroFunctions.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Ledger;

/// <summary>What a replay found for one dead letter's event.</summary>
public enum ReplayResult
{
    /// <summary>The event had no outcome: a copy is queued, owning it.</summary>
    Queued,

    /// <summary>It was delivered (or skipped) after it was dead-lettered: nothing is queued.</summary>
    AlreadyDelivered,

    /// <summary>Another copy holds it or is queued for it (a retry, an earlier replay): nothing more is queued.</summary>
    AlreadyQueued,
}

/// <summary>
/// The event ledger (docs/architecture.md, "The event ledger"; docs/decisions.md): one record per
/// event in <c>Events{yyyyMMdd}</c>, the day Segment received it (<see cref="LedgerKeys"/>), which
/// keeps a repeat of a messageId from being sent again, names the one copy that owns the event
/// (<see cref="ClaimRules"/>), and answers "what happened to messageId X". Deliveries claim and
/// record events a queue message at a time through a <see cref="LedgerSession"/>; a replay claims
/// through <see cref="ReplayAsync"/>; both go through the same rule. A table is dropped once no
/// delivery has used it for <see cref="Retention"/>.
/// </summary>
public sealed partial class EventLedger(
    StorageClients clients, TimeProvider time, IOptions<LedgerOptions> options, ILogger<EventLedger> logger)
{
    /// <summary>How long after its last use a ledger table is kept: a repeat within this is recognised.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(48);

    /// <summary>How often each process refreshes a table's use mark while it claims events there.</summary>
    private static readonly TimeSpan MarkInterval = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _marked = new(StringComparer.Ordinal);
    private LedgerFlush? _flush;

    public bool Enabled => options.Value.Enabled;

    internal TimeProvider Time => time;

    internal TableTransactions? Transactions => clients.Transactions;

    internal ILogger Logger => logger;

    internal TimeSpan Lease => TimeSpan.FromSeconds(options.Value.LeaseSeconds);

    /// <summary>The process's one flush of every open session's changes.</summary>
    internal LedgerFlush Flush => LazyInitializer.EnsureInitialized(ref _flush, () => new LedgerFlush(this));

    /// <summary>Starts recording the events of one queue message.</summary>
    public LedgerSession Begin(string workspaceId) => new(this, workspaceId);

    /// <summary>The event's record, from the table of the day it was received (a point read); null when unknown.</summary>
    public async Task<EventRecord?> LookupAsync(string workspaceId, string messageId, DateOnly day, CancellationToken ct) =>
        (await ReadAsync(Table(LedgerKeys.TableName(day)), workspaceId, messageId, ct))?.Record;

    /// <summary>
    /// The event's record when the day it was received is not known (an operator's lookup): a point read
    /// in each ledger table, newest day first; null when unknown.
    /// </summary>
    public async Task<EventRecord?> LookupAsync(string workspaceId, string messageId, CancellationToken ct)
    {
        var days = new List<DateOnly>();
        await foreach (var table in clients.Tables.QueryAsync(filter: (string?)null, cancellationToken: ct))
        {
            if (LedgerKeys.DayOf(table.Name) is { } day)
            {
                days.Add(day);
            }
        }
        foreach (var day in days.OrderDescending())
        {
            if (await LookupAsync(workspaceId, messageId, day, ct) is { } record)
            {
                return record;
            }
        }
        return null;
    }

    /// <summary>
    /// An operator replays an event's dead letter: through the owner rule like any copy. When the event
    /// has no outcome, <paramref name="enqueue"/> queues a copy (given its id and every call already
    /// delivered, the letter's and the record's), then the record is marked <see cref="EventState.Queued"/>
    /// for that copy, conditional on what was read: a copy that changed it meanwhile decides instead.
    /// </summary>
    public async Task<ReplayResult> ReplayAsync(string workspaceId, string messageId, DateOnly day, IReadOnlyList<string> letterDelivered,
        Func<string, IReadOnlyList<string>, Task> enqueue, CancellationToken ct)
    {
        var copyId = Queueing.QueueEnvelope.NewId();
        if (!Enabled)
        {
            await enqueue(copyId, letterDelivered);
            return ReplayResult.Queued;
        }
        var table = await TableAsync(day, ct);
        var found = await ReadAsync(table, workspaceId, messageId, ct);
        var decision = ClaimRules.Decide(found?.Record, new ClaimCopy(copyId, null, CopyPath.Replay), time.GetUtcNow());
        switch (decision.Kind)
        {
            case ClaimKind.AlreadyDone:
                return ReplayResult.AlreadyDelivered;
            case ClaimKind.InFlight or ClaimKind.Duplicate:
                return ReplayResult.AlreadyQueued;
        }
        var delivered = letterDelivered.Union(found?.Record.Calls.Select(c => c.Key) ?? [], StringComparer.Ordinal).ToList();
        await enqueue(copyId, delivered);
        var now = time.GetUtcNow();
        var queued = (found?.Record ?? new EventRecord { WorkspaceId = workspaceId, MessageId = messageId, State = EventState.Queued, ReceivedAt = now }) with
        {
            State = EventState.Queued, Owner = copyId, LeaseUntil = null, Attempts = 0, UpdatedAt = now, // a replay starts the retry schedule afresh
        };
        var entity = EventRecordEntity.ToEntity(queued, PartitionFor(workspaceId, messageId), "replay", 0);
        try
        {
            _ = found is { } existing
                ? await table.UpdateEntityAsync(entity, existing.ETag, TableUpdateMode.Replace, ct)
                : await table.AddEntityAsync(entity, ct);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Changed since read (the queued copy may already be delivering it): that copy's claim decides.
        }
        return ReplayResult.Queued;
    }

    /// <summary>
    /// Drops ledger tables of days before yesterday that no delivery has used for <see cref="Retention"/>
    /// (their use mark): an event received long ago (a backfill) keeps its day's table while it is
    /// delivered, and a table a retry still needs stays while retries use it. The mark is removed first,
    /// conditionally, so a delivery that marks the table meanwhile keeps it.
    /// </summary>
    public async Task<IReadOnlyList<string>> DropExpiredAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var yesterday = DateOnly.FromDateTime(now.UtcDateTime.AddDays(-1));
        var dropped = new List<string>();
        var candidates = new List<string>();
        await foreach (var item in clients.Tables.QueryAsync(filter: (string?)null, cancellationToken: ct))
        {
            if (LedgerKeys.DayOf(item.Name) is { } day && day < yesterday)
            {
                candidates.Add(item.Name);
            }
        }
        foreach (var name in candidates)
        {
            var table = Table(name);
            var mark = await table.GetEntityIfExistsAsync<TableEntity>(LedgerKeys.MarkPartition, LedgerKeys.MarkRow, cancellationToken: ct);
            if (mark.HasValue)
            {
                if (mark.Value!.GetDateTimeOffset("LastUsedAt") > now - Retention)
                {
                    continue;
                }
                try
                {
                    await table.DeleteEntityAsync(LedgerKeys.MarkPartition, LedgerKeys.MarkRow, mark.Value.ETag, ct);
                }
                catch (RequestFailedException ex) when (ex.Status == 412)
                {
                    continue; // marked in use just now
                }
            }
            await clients.Tables.DeleteTableAsync(name, ct);
            KnownTables.Forget(table);
            _marked.TryRemove(name, out _);
            dropped.Add(name);
            LogDropped(logger, name);
        }
        return dropped;
    }

    internal TableClient Table(string name) => clients.Tables.GetTableClient(name);

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

    /// <summary>
    /// The ledger table of a day, created the first time this process uses it, and its use mark
    /// refreshed at most once an hour per process (what keeps the retention from dropping it).
    /// </summary>
    internal async Task<TableClient> TableAsync(DateOnly day, CancellationToken ct)
    {
        var name = LedgerKeys.TableName(day);
        var table = await KnownTables.EnsureAsync(Table(name), ct);
        var now = time.GetUtcNow();
        if (!_marked.TryGetValue(name, out var marked) || now - marked >= MarkInterval)
        {
            await KnownTables.WithTableAsync(table, () => table.UpsertEntityAsync(
                new TableEntity(LedgerKeys.MarkPartition, LedgerKeys.MarkRow) { ["LastUsedAt"] = now }, TableUpdateMode.Replace, ct), ct);
            _marked[name] = now;
        }
        return table;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped event ledger table {Table}: unused for 48 hours")]
    private static partial void LogDropped(ILogger logger, string table);
}
