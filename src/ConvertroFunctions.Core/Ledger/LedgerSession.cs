using Azure;
using Azure.Data.Tables;
using ConvertroFunctions.Core.Storage;
using Microsoft.Extensions.Logging;

namespace ConvertroFunctions.Core.Ledger;

/// <summary>
/// The ledger's work for one queue message. <see cref="ClaimAsync"/> claims all its events with one
/// entity-group transaction per partition and 100 events (a plain insert for a lone event); the
/// delivery then reports each call and outcome, and a background flush writes what changed every
/// <see cref="FlushInterval"/> (again one transaction per partition, or a plain replace), renews the
/// lease of events still being sent, and on dispose writes the rest and lets go of events it never
/// finished. Cost: about 2 requests per partition per message when Convertro answers fast
/// (docs/performance.md). Completed calls are recorded within
/// <see cref="FlushInterval"/>, so after a crash only calls in flight or answered in that last
/// moment are sent again, with the same <c>eid</c>.
/// </summary>
public sealed partial class LedgerSession : IAsyncDisposable
{
    /// <summary>How soon a completed call is recorded.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a retry waits, at most, for the attempt that queued it to record its outcome.</summary>
    private static readonly TimeSpan SuccessorWait = TimeSpan.FromMilliseconds(200);

    private const int MaxSuccessorWaits = 10;

    /// <summary>Entity-group transactions hold at most 100 entities.</summary>
    private const int MaxTransaction = 100;

    private readonly EventLedger _ledger;
    private readonly string _workspaceId;
    private readonly List<EventClaim> _recorded = [];
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    internal LedgerSession(EventLedger ledger, string workspaceId)
    {
        _ledger = ledger;
        _workspaceId = workspaceId;
    }

    private DateTimeOffset Now => _ledger.Time.GetUtcNow();

    public async Task<IReadOnlyList<EventClaim>> ClaimAsync(IReadOnlyList<ClaimRequest> requests, CancellationToken ct)
    {
        if (!_ledger.Enabled)
        {
            return [.. requests.Select(r => new EventClaim(r, r.Record.State == EventState.Delivering ? ClaimKind.Owned : ClaimKind.Recorded, r.Record))];
        }
        var now = Now;
        var today = await _ledger.TodayAsync(now, ct);
        try
        {
            return await ClaimAsync(requests, today, now, ct);
        }
        catch (RequestFailedException ex) when (StorageErrors.IsTableNotFound(ex))
        {
            // The message fails and comes back; by then today's table exists again.
            _ledger.TableMissing(today.Name);
            throw;
        }
    }

    private async Task<IReadOnlyList<EventClaim>> ClaimAsync(IReadOnlyList<ClaimRequest> requests, TableClient today, DateTimeOffset now, CancellationToken ct)
    {
        var claims = new EventClaim?[requests.Count];
        var batched = new List<(int Index, ClaimRequest Request)>();
        for (var i = 0; i < requests.Count; i++)
        {
            var request = Leased(requests[i], now);
            if (request.Retry?.LedgerTable is { } own && LedgerKeys.DayOf(own) is { } day && day >= Yesterday(now))
            {
                // A retry or replay comes back to the record it left (unless its table has been dropped meanwhile:
                // a retry held back for more than a day starts a new record today).
                claims[i] = await ClaimOneAsync(request, own == today.Name ? today : _ledger.Table(own), now, ct);
                continue;
            }
            if (MayBeInYesterday(request, now)
                && await _ledger.ReadAsync(_ledger.Table(LedgerKeys.TableName(now.AddDays(-1))), _workspaceId, request.Record.MessageId, ct) is { } prior)
            {
                var decided = Decide(request, prior.Record, now);
                if (decided is not null)
                {
                    claims[i] = decided;
                    continue;
                }
                // Unfinished yesterday: today's record carries on with what was delivered then.
                request = request with { Record = request.Record with { Calls = Union(prior.Record.Calls, request.Record.Calls), Attempts = prior.Record.Attempts } };
            }
            batched.Add((i, request));
        }

        // Partitions at once (with several configured), each a transaction of up to 100 events.
        await Task.WhenAll(batched.GroupBy(b => _ledger.PartitionFor(_workspaceId, b.Request.Record.MessageId)).Select(async group =>
        {
            foreach (var chunk in group.Chunk(MaxTransaction))
            {
                await InsertAsync(today, group.Key, chunk, claims, now, ct);
            }
        }));
        lock (_recorded)
        {
            _recorded.AddRange(claims.Where(c => c!.IsRecorded && c.Kind == ClaimKind.Owned)!);
        }
        _loop ??= Task.Run(() => FlushLoopAsync(_stop.Token), CancellationToken.None);
        return claims!;
    }

    /// <summary>One call of an owned event was delivered: recorded at the next flush.</summary>
    public void CallDelivered(EventClaim claim, CallRecord call)
    {
        var now = Now;
        Change(claim, r => r with { Calls = [.. r.Calls, call], UpdatedAt = now });
    }

    /// <summary>
    /// The event reached its outcome (<paramref name="outcome"/> applied to the record as it stands).
    /// Delivered outcomes are written with the next flush; with <paramref name="now"/> (a retry or
    /// dead letter, which a retry envelope already queued may look for) the record is written before
    /// this returns.
    /// </summary>
    public async Task CompleteAsync(EventClaim claim, Func<EventRecord, EventRecord> outcome, bool now, CancellationToken ct)
    {
        var at = Now;
        Change(claim, r => outcome(r) with { LeaseUntil = null, UpdatedAt = at }, done: true);
        if (now && claim.IsRecorded)
        {
            await FlushAsync([claim], ct);
        }
    }

    /// <summary>
    /// Before an event's first call: when the background renewal has fallen behind (slow storage)
    /// and less than half the lease is left, renews it now. False when another copy took the event
    /// over meanwhile: this delivery must not send it.
    /// </summary>
    public async Task<bool> EnsureLeaseAsync(EventClaim claim, CancellationToken ct)
    {
        var now = Now;
        if (!claim.IsRecorded || claim.Current.LeaseUntil - now >= _ledger.Lease / 2)
        {
            return true;
        }
        var lease = now + _ledger.Lease;
        Change(claim, r => r with { LeaseUntil = lease });
        await _flushing.WaitAsync(ct);
        int version;
        EventRecord record;
        lock (claim)
        {
            (version, record) = (claim.Version, claim.Current);
        }
        try
        {
            var response = await claim.Table!.UpdateEntityAsync(
                EventRecordEntity.ToEntity(record, claim.PartitionKey!), claim.ETag, TableUpdateMode.Replace, ct);
            Written(claim, version, response.Headers.ETag);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // Either another copy took the event over, or the client's own retry of our update found it applied.
            if (await _ledger.ReadAsync(claim.Table!, _workspaceId, record.MessageId, ct) is { } found && found.Record.LeaseUntil == lease)
            {
                Written(claim, version, found.ETag);
                return true;
            }
            lock (claim)
            {
                claim.Done = true;
                claim.FlushedVersion = claim.Version; // nothing of ours to write any more
            }
            return false;
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>Lets go of an event this delivery will not finish (shutdown): another copy may take it at once.</summary>
    public void Release(EventClaim claim)
    {
        var now = Now;
        Change(claim, r => r with { LeaseUntil = now, UpdatedAt = now }, done: true);
    }

    /// <summary>Writes everything not yet written: completed calls, outcomes, and releases of unfinished events.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        List<EventClaim> unfinished;
        lock (_recorded)
        {
            unfinished = [.. _recorded.Where(c => !c.Done)];
        }
        foreach (var claim in unfinished)
        {
            Release(claim);
        }
        await FlushAsync(Dirty(), CancellationToken.None);
        _stop.Dispose();
    }

    /// <summary>What a crash leaves (for tests): the flush loop stops, and nothing more is written or released.</summary>
    internal async Task StopWritingAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static DateOnly Yesterday(DateTimeOffset now) => DateOnly.FromDateTime(now.UtcDateTime.AddDays(-1));

    private ClaimRequest Leased(ClaimRequest request, DateTimeOffset now) => request.Record.State == EventState.Delivering
        ? request with { Record = request.Record with { LeaseUntil = now + _ledger.Lease, UpdatedAt = now } }
        : request with { Record = request.Record with { UpdatedAt = now } };

    /// <summary>
    /// Only an event Segment received before today (or whose receipt time is unknown) can have a
    /// record in yesterday's table; five minutes allow for clocks that differ.
    /// </summary>
    private static bool MayBeInYesterday(ClaimRequest request, DateTimeOffset now) =>
        request.StableTime is not { } received || received < new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddMinutes(5);

    private async Task InsertAsync(TableClient table, string partitionKey, (int Index, ClaimRequest Request)[] chunk,
        EventClaim?[] claims, DateTimeOffset now, CancellationToken ct)
    {
        if (chunk is [var (only, single)])
        {
            // One event: a plain insert, cheaper than a transaction of one.
            try
            {
                var added = await table.AddEntityAsync(EventRecordEntity.ToEntity(single.Record, partitionKey), ct);
                claims[only] = New(single, table, partitionKey, added.Headers.ETag ?? ETag.All);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                claims[only] = await ClaimOneAsync(single, table, now, ct);
            }
            return;
        }
        var actions = chunk.Select(c => new TableTransactionAction(
            TableTransactionActionType.Add, EventRecordEntity.ToEntity(c.Request.Record, partitionKey))).ToList();
        try
        {
            var responses = (await table.SubmitTransactionAsync(actions, ct)).Value;
            for (var i = 0; i < chunk.Length; i++)
            {
                claims[chunk[i].Index] = New(chunk[i].Request, table, partitionKey, responses[i].Headers.ETag ?? ETag.All);
            }
        }
        catch (TableTransactionFailedException)
        {
            // A record already exists for at least one of them (a repeat, a redelivery): one by one.
            foreach (var (index, request) in chunk)
            {
                claims[index] = await ClaimOneAsync(request, table, now, ct);
            }
        }
    }

    private async Task<EventClaim> ClaimOneAsync(ClaimRequest request, TableClient table, DateTimeOffset now, CancellationToken ct)
    {
        var partitionKey = _ledger.PartitionFor(_workspaceId, request.Record.MessageId);
        for (int attempt = 0, waits = 0; attempt < 3; attempt++)
        {
            var existing = await _ledger.ReadAsync(table, _workspaceId, request.Record.MessageId, ct);
            if (existing?.Record is { State: EventState.Delivering } held && request.Retry is { } retry
                && held.Attempts == retry.Attempt - 1 && waits++ < MaxSuccessorWaits)
            {
                // The attempt that queued this retry has not written "retrying" yet (it enqueues first, so a
                // crash never loses the event): its write is a moment away, not a lease away.
                await Task.Delay(SuccessorWait, ct);
                attempt--;
                continue;
            }
            try
            {
                if (existing is null)
                {
                    var added = await table.AddEntityAsync(EventRecordEntity.ToEntity(request.Record, partitionKey), ct);
                    return New(request, table, partitionKey, added.Headers.ETag ?? ETag.All);
                }
                if (Decide(request, existing.Value.Record, now) is { } decided)
                {
                    return decided;
                }
                var record = request.Record with
                {
                    Calls = Union(existing.Value.Record.Calls, request.Record.Calls),
                    Attempts = Math.Max(existing.Value.Record.Attempts, request.Record.Attempts),
                    ReceivedAt = existing.Value.Record.ReceivedAt == default ? request.Record.ReceivedAt : existing.Value.Record.ReceivedAt,
                };
                var taken = await table.UpdateEntityAsync(EventRecordEntity.ToEntity(record, partitionKey), existing.Value.ETag, TableUpdateMode.Replace, ct);
                if (existing.Value.Record.State == EventState.Delivering)
                {
                    LogTakenOver(_ledger.Logger, request.Record.MessageId, _workspaceId, record.Calls.Count);
                }
                return New(request with { Record = record }, table, partitionKey, taken.Headers.ETag ?? ETag.All);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another copy got there first: look again.
            }
        }
        return new EventClaim(request, ClaimKind.InFlight, request.Record, _ledger.Lease);
    }

    /// <summary>
    /// What an existing record means for a new copy of its event, or null when this copy takes it
    /// over (a crashed delivery's lease ran out, a dead letter sent again, a retry or replay that
    /// owns it).
    /// </summary>
    private EventClaim? Decide(ClaimRequest request, EventRecord existing, DateTimeOffset now)
    {
        if (existing.IsFinal)
        {
            return new EventClaim(request, ClaimKind.AlreadyDone, existing);
        }
        if (request.Record.State != EventState.Delivering)
        {
            // This copy only records a skip or a dead letter. It replaces the record when the event is
            // this copy's (a retry or replay coming back to it, or a crashed delivery's lease ran out);
            // otherwise the record, and the copy it belongs to, stay.
            var owns = request.Retry is not null ? existing.State is EventState.Retrying or EventState.Queued
                : existing.State == EventState.Delivering && !(existing.LeaseUntil > now);
            return owns ? null : new EventClaim(request, ClaimKind.Recorded, existing);
        }
        return KindForCopy(existing, request.Retry is not null, now) switch
        {
            null => null,
            ClaimKind.InFlight => new EventClaim(request, ClaimKind.InFlight, existing, existing.LeaseUntil!.Value - now),
            var kind => new EventClaim(request, kind.Value, existing),
        };
    }

    /// <summary>
    /// What an existing record means for a copy of its event that would deliver it (also what
    /// preview tells an operator): already done, held by another delivery, a duplicate of a retry
    /// or replay under way, or null when this copy takes it over (a crashed delivery's lease ran out,
    /// a dead letter sent again, a retry or replay that owns it).
    /// </summary>
    internal static ClaimKind? KindForCopy(EventRecord existing, bool isRetry, DateTimeOffset now) => existing switch
    {
        { IsFinal: true } => ClaimKind.AlreadyDone,
        { State: EventState.Delivering } when existing.LeaseUntil > now => ClaimKind.InFlight,
        { State: EventState.Retrying or EventState.Queued } when !isRetry => ClaimKind.Duplicate,
        _ => null,
    };

    private static EventClaim New(ClaimRequest request, TableClient table, string partitionKey, ETag etag) =>
        new(request, request.Record.State == EventState.Delivering ? ClaimKind.Owned : ClaimKind.Recorded, request.Record)
        {
            Table = table,
            PartitionKey = partitionKey,
            ETag = etag,
        };

    private static IReadOnlyList<CallRecord> Union(IReadOnlyList<CallRecord> first, IReadOnlyList<CallRecord> second) =>
        [.. first.Concat(second).GroupBy(c => c.Key, StringComparer.Ordinal).Select(g => g.First())];

    /// <summary>
    /// Applies <paramref name="update"/> to the record as it stands, under the claim's lock: the
    /// delivery (calls, outcome) and the flush loop (lease renewal) change the same record.
    /// </summary>
    private static void Change(EventClaim claim, Func<EventRecord, EventRecord> update, bool done = false)
    {
        lock (claim)
        {
            claim.Current = update(claim.Current);
            claim.Version++;
            claim.Done |= done;
        }
    }

    private List<EventClaim> Dirty()
    {
        lock (_recorded)
        {
            return [.. _recorded.Where(c => c.Version != c.FlushedVersion)];
        }
    }

    private async Task FlushLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(FlushInterval, stop);
                RenewLeases();
                await FlushAsync(Dirty(), stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Storage trouble: the next tick (or the final flush) writes it.
                LogFlushFailed(_ledger.Logger, ex, _workspaceId);
            }
        }
    }

    /// <summary>Events still being sent keep their lease: past half of it, the next flush extends it.</summary>
    private void RenewLeases()
    {
        var now = Now;
        List<EventClaim> expiring;
        lock (_recorded)
        {
            expiring = [.. _recorded.Where(c => !c.Done && c.Current.LeaseUntil - now < _ledger.Lease / 2)];
        }
        foreach (var claim in expiring)
        {
            lock (claim)
            {
                if (!claim.Done)
                {
                    Change(claim, r => r with { LeaseUntil = now + _ledger.Lease });
                }
            }
        }
    }

    private async Task FlushAsync(IReadOnlyList<EventClaim> dirty, CancellationToken ct)
    {
        if (dirty.Count == 0)
        {
            return;
        }
        await _flushing.WaitAsync(ct);
        try
        {
            var writes = dirty.Select(c =>
            {
                lock (c)
                {
                    return (Claim: c, c.Version, Record: c.Current);
                }
            }).Where(w => w.Version != w.Claim.FlushedVersion).ToList();
            await Task.WhenAll(writes.GroupBy(w => (w.Claim.Table!.Name, w.Claim.PartitionKey)).Select(async group =>
            {
                foreach (var chunk in group.Chunk(MaxTransaction))
                {
                    await WriteAsync(chunk, ct);
                }
            }));
        }
        finally
        {
            _flushing.Release();
        }
    }

    private static async Task WriteAsync((EventClaim Claim, int Version, EventRecord Record)[] chunk, CancellationToken ct)
    {
        if (chunk is [var (one, oneVersion, oneRecord)])
        {
            await WriteOneAsync(one, oneVersion, oneRecord, ct); // a plain replace, cheaper than a transaction of one
            return;
        }
        var table = chunk[0].Claim.Table!;
        try
        {
            var responses = (await table.SubmitTransactionAsync(chunk.Select(w => new TableTransactionAction(
                TableTransactionActionType.UpdateReplace, EventRecordEntity.ToEntity(w.Record, w.Claim.PartitionKey!), w.Claim.ETag)), ct)).Value;
            for (var i = 0; i < chunk.Length; i++)
            {
                Written(chunk[i].Claim, chunk[i].Version, responses[i].Headers.ETag);
            }
        }
        catch (TableTransactionFailedException)
        {
            foreach (var (claim, version, record) in chunk)
            {
                await WriteOneAsync(claim, version, record, ct);
            }
        }
    }

    /// <summary>
    /// Replaces one record under its ETag. When it changed under us (our lease ran out and another
    /// copy took over), keeps the calls both delivered, then writes ours.
    /// </summary>
    private static async Task WriteOneAsync(EventClaim claim, int version, EventRecord record, CancellationToken ct)
    {
        var table = claim.Table!;
        try
        {
            var response = await table.UpdateEntityAsync(EventRecordEntity.ToEntity(record, claim.PartitionKey!), claim.ETag, TableUpdateMode.Replace, ct);
            Written(claim, version, response.Headers.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(claim.PartitionKey!, LedgerKeys.RowKeyFor(record.MessageId), cancellationToken: ct);
            var merged = current.HasValue
                ? record with { Calls = Union(record.Calls, EventRecordEntity.FromEntity(current.Value!, record.WorkspaceId).Calls) }
                : record;
            var response = await table.UpsertEntityAsync(EventRecordEntity.ToEntity(merged, claim.PartitionKey!), TableUpdateMode.Replace, ct);
            Written(claim, version, response.Headers.ETag);
        }
    }

    private static void Written(EventClaim claim, int version, ETag? etag)
    {
        lock (claim)
        {
            claim.ETag = etag ?? ETag.All;
            claim.FlushedVersion = version;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Took over event {MessageId} of workspace {WorkspaceId} after its previous delivery's lease ran out ({Delivered} call(s) already delivered)")]
    private static partial void LogTakenOver(ILogger logger, string messageId, string workspaceId, int delivered);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record delivery progress for workspace {WorkspaceId}; will try again")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, string workspaceId);
}
