using Azure;
using Azure.Data.Tables;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Storage;
using Microsoft.Extensions.Logging;

namespace ConvertroFunctions.Core.Ledger;

/// <summary>How an outcome's write went.</summary>
public enum WriteResult
{
    /// <summary>Recorded (or nothing to record: the ledger is off).</summary>
    Written,

    /// <summary>Not written yet: with the next flush, or, when the session closes unwritten, handed back by the caller.</summary>
    Pending,

    /// <summary>Another copy owns the event: this outcome is not this copy's to record.</summary>
    Lost,
}

/// <summary>
/// The ledger's work for one queue message (docs/architecture.md, "The event ledger").
/// <see cref="ClaimAsync"/> claims all its events through <see cref="ClaimRules"/>, new records with
/// one insert transaction per table and partition; the delivery then reports each call and outcome,
/// and the process's one flush (<see cref="LedgerFlush"/>) writes what changed every
/// <see cref="LedgerFlush.FlushInterval"/>, with every other open session's changes (one transaction
/// per partition, each write conditional on its copy's ETag), and renews the leases of events still
/// being sent. <see cref="CloseAsync"/> writes the rest, lets go of unfinished events, and answers
/// what could not be written (Table storage unavailable), for the caller to hand back. Cost: about
/// two requests per partition per message, the ticks between shared by every message in flight (docs/performance.md).
/// </summary>
public sealed partial class LedgerSession : IAsyncDisposable
{
    /// <summary>How long a retry waits, at most, for the attempt that queued it to record its outcome.</summary>
    private static readonly TimeSpan SuccessorWait = TimeSpan.FromMilliseconds(200);

    private const int MaxSuccessorWaits = 10;

    private readonly EventLedger _ledger;
    private readonly string _workspaceId;
    private readonly RecordBuffer _records;

    internal LedgerSession(EventLedger ledger, string workspaceId)
    {
        _ledger = ledger;
        _workspaceId = workspaceId;
        _records = new RecordBuffer(ledger.Logger, workspaceId, ledger.Transactions);
    }

    private DateTimeOffset Now => _ledger.Time.GetUtcNow();

    /// <summary>Claims every event of the message. Throws when Table storage is unavailable (nothing is then owned for long: leases run out).</summary>
    public async Task<IReadOnlyList<EventClaim>> ClaimAsync(IReadOnlyList<ClaimRequest> requests, CancellationToken ct)
    {
        if (!_ledger.Enabled)
        {
            return [.. requests.Select(r => new EventClaim(r, ClaimKind.Owned, r.Record, null))];
        }
        var now = Now;
        var claims = new EventClaim[requests.Count];
        foreach (var day in Enumerable.Range(0, requests.Count).GroupBy(i => requests[i].Day))
        {
            var table = await _ledger.TableAsync(day.Key, ct);
            var indexes = day.ToList();
            var records = indexes.Select(i => Starting(requests[i], null, now)).ToList();
            var results = await KnownTables.WithTableAsync(table, () => TableBatch.SubmitAsync(table, [.. indexes.Select((i, n) =>
                new TableTransactionAction(TableTransactionActionType.Add, EventRecordEntity.ToEntity(records[n], Partition(requests[i]), _records.Run, 1)))], _ledger.Transactions, ct), ct);
            for (var n = 0; n < indexes.Count; n++)
            {
                var i = indexes[n];
                claims[i] = results[n] switch
                {
                    { Succeeded: true } ok => Owned(requests[i], table, records[n], null, ok.ETag),
                    { Conflicted: true } => await ClaimExistingAsync(requests[i], table, now, ct), // a repeat, a retry, a replay
                    var failed => throw failed.Error!,
                };
            }
        }
        _ledger.Flush.Join(_records); // once joined, again is nothing; after the close, nothing either
        return claims;
    }

    /// <summary>One call of an owned event was delivered: recorded at the next flush.</summary>
    public void CallDelivered(EventClaim claim, CallRecord call)
    {
        if (claim.Tracked is { } record)
        {
            var now = Now;
            RecordBuffer.Change(record, r => r with { Calls = [.. r.Calls, call], UpdatedAt = now });
        }
    }

    /// <summary>The owned event's record as this copy holds it now (its calls delivered so far).</summary>
    public EventRecord Current(EventClaim claim)
    {
        if (claim.Tracked is not { } record)
        {
            return claim.Record;
        }
        lock (record)
        {
            return record.Current;
        }
    }

    /// <summary>Whether this copy still holds the event: checked before each call, on the lease as written.</summary>
    public Task<LeaseCheck> CheckLeaseAsync(EventClaim claim, CancellationToken ct) =>
        claim.Tracked is { } record ? _records.CheckLeaseAsync(record, Now, _ledger.Lease, ct) : Task.FromResult(LeaseCheck.Held);

    /// <summary>
    /// The event reached its outcome (<paramref name="outcome"/> applied to the record as it stands).
    /// Written with the next flush, or, with <paramref name="awaitWrite"/>, before this returns (a
    /// retry or a dead letter, which another copy may look for at once).
    /// </summary>
    public async Task<WriteResult> CompleteAsync(EventClaim claim, Func<EventRecord, EventRecord> outcome, bool awaitWrite, CancellationToken ct)
    {
        if (claim.Tracked is not { } record)
        {
            return WriteResult.Written;
        }
        var at = Now;
        RecordBuffer.Change(record, r => outcome(r) with { LeaseUntil = null, UpdatedAt = at }, done: true);
        if (awaitWrite)
        {
            try
            {
                await _records.WriteAsync(ct);
            }
            catch (Exception ex) when (StorageErrors.IsUnavailable(ex))
            {
                LogWriteFailed(_ledger.Logger, ex, _workspaceId);
            }
        }
        return Result(claim);
    }

    /// <summary>Where the owned event's record stands: written, still to be written, or lost to another copy.</summary>
    public WriteResult Result(EventClaim claim) => claim.Tracked switch
    {
        null => WriteResult.Written,
        { Lost: true } => WriteResult.Lost,
        { Dirty: true } => WriteResult.Pending,
        _ => WriteResult.Written,
    };

    /// <summary>Lets go of an event this copy will not finish (shutdown, an outage): another copy may take it at once.</summary>
    public void Release(EventClaim claim)
    {
        if (claim.Tracked is { Lost: false } record)
        {
            var now = Now;
            RecordBuffer.Change(record, r => r with { LeaseUntil = now, UpdatedAt = now }, done: true);
        }
    }

    /// <summary>
    /// Stops the flush, lets go of events never finished, and writes everything not yet written.
    /// Answers the owned events whose last change could not be written (Table storage unavailable):
    /// the caller hands them back with what they delivered.
    /// </summary>
    public async Task<IReadOnlyList<EventClaim>> CloseAsync(IReadOnlyList<EventClaim> claims)
    {
        await StopWritingAsync();
        var now = Now;
        foreach (var record in _records.Where(r => !r.Done && !r.Lost))
        {
            RecordBuffer.Change(record, r => r with { LeaseUntil = now, UpdatedAt = now }, done: true);
        }
        try
        {
            await _records.WriteAsync(CancellationToken.None);
        }
        catch (Exception ex) when (StorageErrors.IsUnavailable(ex))
        {
            LogWriteFailed(_ledger.Logger, ex, _workspaceId);
        }
        return [.. claims.Where(c => c.Tracked is { Dirty: true })];
    }

    public async ValueTask DisposeAsync() => await CloseAsync([]);

    /// <summary>What a crash leaves (for tests), and the start of closing: the shared flush writes nothing more of this session's.</summary>
    internal Task StopWritingAsync() => _ledger.Flush.LeaveAsync(_records);

    private string Partition(ClaimRequest request) => _ledger.PartitionFor(_workspaceId, request.Record.MessageId);

    /// <summary>The record this copy writes when it owns the event: its own, over whatever was there.</summary>
    private EventRecord Starting(ClaimRequest request, EventRecord? existing, DateTimeOffset now)
    {
        var wanted = request.Record with
        {
            Owner = request.Record.State == EventState.Delivering ? request.Copy.CopyId : null,
            LeaseUntil = request.Record.State == EventState.Delivering ? now + _ledger.Lease : null,
            DeadLetterId = DeadLetter.NewId(now),
            UpdatedAt = now,
        };
        return ClaimRules.Claimed(existing, wanted);
    }

    /// <summary>A record exists: the rule decides; an owning copy replaces it under the ETag it read.</summary>
    private async Task<EventClaim> ClaimExistingAsync(ClaimRequest request, TableClient table, DateTimeOffset now, CancellationToken ct)
    {
        var partition = Partition(request);
        for (int attempt = 0, waits = 0; attempt < 3; attempt++)
        {
            var existing = await _ledger.ReadAsync(table, _workspaceId, request.Record.MessageId, ct);
            var decision = ClaimRules.Decide(existing?.Record, request.Copy, now);
            if (decision.SuccessorPending && waits++ < MaxSuccessorWaits)
            {
                // The attempt that queued this retry records "retrying" a moment after it enqueued it (so a
                // crash never loses the event): its write is a moment away, not a lease away.
                await Task.Delay(SuccessorWait, ct);
                now = Now;
                attempt--;
                continue;
            }
            if (decision.Kind != ClaimKind.Owned)
            {
                return new EventClaim(request, decision.Kind, existing?.Record ?? request.Record, existing?.Record, decision.RetryAfter);
            }
            var record = Starting(request, existing?.Record, now);
            var entity = EventRecordEntity.ToEntity(record, partition, _records.Run, 1);
            try
            {
                var written = existing is { } found
                    ? await table.UpdateEntityAsync(entity, found.ETag, TableUpdateMode.Replace, ct)
                    : await table.AddEntityAsync(entity, ct);
                if (existing?.Record.State == EventState.Delivering)
                {
                    LogTakenOver(_ledger.Logger, request.Record.MessageId, _workspaceId, record.Calls.Count);
                }
                return Owned(request, table, record, existing?.Record, written.Headers.ETag);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another copy got there first: look again.
            }
        }
        return new EventClaim(request, ClaimKind.InFlight, request.Record, null, _ledger.Lease);
    }

    private EventClaim Owned(ClaimRequest request, TableClient table, EventRecord record, EventRecord? found, ETag? etag)
    {
        TrackedRecord? tracked = null;
        if (record.State == EventState.Delivering)
        {
            // A skip is final as claimed; only an event being sent is changed and written again.
            tracked = new TrackedRecord(table, Partition(request), record, etag ?? ETag.All, seq: 1);
            _records.Add(tracked);
        }
        return new EventClaim(request, ClaimKind.Owned, record, found) { Tracked = tracked };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Took over event {MessageId} of workspace {WorkspaceId} after its previous delivery's lease ran out ({Delivered} call(s) already delivered)")]
    private static partial void LogTakenOver(ILogger logger, string messageId, string workspaceId, int delivered);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record delivery progress for workspace {WorkspaceId}; will try again")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string workspaceId);
}
