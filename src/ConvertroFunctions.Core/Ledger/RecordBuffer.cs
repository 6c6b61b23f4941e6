using System.Runtime.ExceptionServices;
using Azure;
using Azure.Data.Tables;
using ConvertroFunctions.Core.Storage;
using Microsoft.Extensions.Logging;

namespace ConvertroFunctions.Core.Ledger;

/// <summary>Whether this copy still holds an event before it sends a call.</summary>
public enum LeaseCheck
{
    /// <summary>The lease as written has at least half its length left: send.</summary>
    Held,

    /// <summary>Another copy owns the event now: send nothing more, write nothing more.</summary>
    Lost,

    /// <summary>The lease could not be renewed (Table storage unavailable): do not send; hand the event back.</summary>
    Unavailable,
}

/// <summary>
/// The records one <see cref="LedgerSession"/> owns: each change is applied in memory and written
/// later, every write conditional on the ETag of this session's last write (docs/architecture.md,
/// "The event ledger"). A write that finds the record changed (412) was either this session's own
/// write whose answer got lost (recognised by the run id stored with it and a write counter this
/// session sent but never saw confirmed: then the change is sent again at once, under the stored
/// ETag) or another copy's takeover: then the record is <see cref="TrackedRecord.Lost"/>, and nothing
/// of this session is ever written over the new owner's. A record deleted under the session (a
/// dropped table) is inserted again, unless another copy inserted it first. Its changes are written
/// by the session itself (<see cref="WriteAsync"/>: all of them, whichever record it was called for)
/// or, every tick, by the process's one flush together with every other open session's
/// (<see cref="FlushAsync"/>, <see cref="LedgerFlush"/>); one write at a time per session.
/// </summary>
internal sealed partial class RecordBuffer(ILogger logger, string workspaceId, TableTransactions? transactions)
{
    private readonly List<TrackedRecord> _records = [];
    private readonly SemaphoreSlim _writing = new(1, 1);
    private volatile bool _stopped;

    /// <summary>Out of the shared flush for good (closed, or crashed in tests): <see cref="StopSharedFlushAsync"/>.</summary>
    public bool Stopped => _stopped;

    /// <summary>This session's id, stored with every record it writes.</summary>
    public string Run { get; } = Guid.NewGuid().ToString("N")[..16];

    public void Add(TrackedRecord record)
    {
        lock (_records)
        {
            _records.Add(record);
        }
    }

    public static void Change(TrackedRecord record, Func<EventRecord, EventRecord> update, bool done = false)
    {
        lock (record)
        {
            record.Current = update(record.Current);
            record.Version++;
            record.Done |= done;
        }
    }

    public List<TrackedRecord> Where(Func<TrackedRecord, bool> predicate)
    {
        lock (_records)
        {
            return [.. _records.Where(predicate)];
        }
    }

    /// <summary>Events still being sent keep their lease: when less than half of the written lease is left, the next write extends it.</summary>
    public void RenewLeases(DateTimeOffset now, TimeSpan lease)
    {
        foreach (var record in Where(r => !r.Done && !r.Lost && !(r.WrittenLease - now >= lease / 2)))
        {
            lock (record)
            {
                if (!record.Done && record.Current.LeaseUntil - now < lease / 2)
                {
                    Change(record, r => r with { LeaseUntil = now + lease });
                }
            }
        }
    }

    /// <summary>Before a call: held only on the lease as written; renewed now when less than half is left.</summary>
    public async Task<LeaseCheck> CheckLeaseAsync(TrackedRecord record, DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        if (record.Lost)
        {
            return LeaseCheck.Lost;
        }
        if (record.WrittenLease - now >= lease / 2)
        {
            return LeaseCheck.Held;
        }
        Change(record, r => r with { LeaseUntil = now + lease });
        try
        {
            await WriteAsync(ct);
        }
        catch (Exception ex) when (StorageErrors.IsUnavailable(ex))
        {
            return LeaseCheck.Unavailable;
        }
        return record.Lost ? LeaseCheck.Lost : record.WrittenLease - now >= lease / 2 ? LeaseCheck.Held : LeaseCheck.Unavailable;
    }

    /// <summary>
    /// Writes every change of this session's records, one transaction per table and partition
    /// (<see cref="TableBatch"/>): the session's own write (a lease renewal, an outcome another copy may
    /// look for at once, the close) carries whatever else is pending, so a session whose own writes keep
    /// it busy through the shared flush's ticks still records its delivered calls. Throws when Table
    /// storage is unavailable; what was not written stays dirty for the next write.
    /// </summary>
    public async Task WriteAsync(CancellationToken ct)
    {
        await _writing.WaitAsync(ct);
        try
        {
            await SubmitAsync(Collect(Where(r => r.Dirty)), transactions, ct);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>
    /// The shared flush's tick (<see cref="LedgerFlush"/>): renews the leases and writes the changes of
    /// every buffer not writing on its own at this moment, all in one batch, so the messages in flight
    /// share one transaction per table and partition. A buffer busy with its own write, or stopped,
    /// waits for the next tick. Throws when Table storage is unavailable (the changes stay dirty).
    /// </summary>
    public static async Task FlushAsync(IReadOnlyList<RecordBuffer> buffers, DateTimeOffset now, TimeSpan lease, TableTransactions? transactions, CancellationToken ct)
    {
        var taken = new List<RecordBuffer>();
        try
        {
            var writes = new List<Write>();
            foreach (var buffer in buffers)
            {
                if (!buffer._writing.Wait(0, CancellationToken.None))
                {
                    continue;
                }
                taken.Add(buffer);
                if (!buffer._stopped) // checked under the lock: a stop waits for it
                {
                    buffer.RenewLeases(now, lease);
                    writes.AddRange(buffer.Collect(buffer.Where(r => r.Dirty)));
                }
            }
            // Two sessions of this process may hold one event (a takeover of a lapsed lease): one write
            // per row in a batch (a transaction refuses a row twice); the other waits for the next tick.
            await SubmitAsync([.. writes.DistinctBy(w => (w.Record.Table.Name, w.Record.PartitionKey, w.Written.MessageId))], transactions, ct);
        }
        finally
        {
            foreach (var buffer in taken)
            {
                buffer._writing.Release();
            }
        }
    }

    /// <summary>
    /// Leaves the shared flush for good (a close, or a crash in tests): <see cref="Stopped"/> at once,
    /// and once the task completes no tick writes any of this buffer's records; <see cref="WriteAsync"/> still does.
    /// </summary>
    public async Task StopSharedFlushAsync()
    {
        _stopped = true;
        await _writing.WaitAsync(); // a tick that took this buffer before the flag was seen finishes first
        _writing.Release();
    }

    /// <summary>The records' pending changes, each with the next write counter (the buffer's writing lock held).</summary>
    private List<Write> Collect(IEnumerable<TrackedRecord> records)
    {
        var writes = new List<Write>();
        foreach (var record in records)
        {
            lock (record)
            {
                if (record.Dirty)
                {
                    writes.Add(new Write(this, record, record.Version, record.Current, ++record.Seq));
                }
            }
        }
        return writes;
    }

    /// <summary>The writes of one or several buffers: one batch per table, each result settled by the buffer it came from.</summary>
    /// <remarks>
    /// Every write that went out is settled, whatever happens to the others (another session's refused
    /// entity, a table that cannot be reached): a write applied but never settled would keep its old
    /// ETag. The first failure is thrown once all are settled.
    /// </remarks>
    private static async Task SubmitAsync(List<Write> writes, TableTransactions? transactions, CancellationToken ct)
    {
        ExceptionDispatchInfo? first = null;
        foreach (var table in writes.GroupBy(w => w.Record.Table.Name, StringComparer.Ordinal))
        {
            var batch = table.ToList();
            TableWriteResult[] results;
            try
            {
                results = await TableBatch.SubmitAsync(batch[0].Record.Table, [.. batch.Select(w => new TableTransactionAction(
                    TableTransactionActionType.UpdateReplace, w.Buffer.Entity(w), w.Record.ETag))], transactions, ct);
            }
            catch (Exception ex)
            {
                first ??= ExceptionDispatchInfo.Capture(ex);
                continue;
            }
            for (var i = 0; i < batch.Count; i++)
            {
                try
                {
                    await batch[i].Buffer.SettleAsync(batch[i], results[i], again: false, ct);
                }
                catch (Exception ex)
                {
                    first ??= ExceptionDispatchInfo.Capture(ex);
                }
            }
        }
        first?.Throw();
    }

    private TableEntity Entity(Write w) => EventRecordEntity.ToEntity(w.Written, w.Record.PartitionKey, Run, w.Seq);

    /// <param name="again">This is the answer to a write sent again after a lost answer: a second such 412 leaves the change dirty.</param>
    private async Task SettleAsync(Write write, TableWriteResult result, bool again, CancellationToken ct)
    {
        var record = write.Record;
        if (result.Succeeded)
        {
            Written(write, result.ETag);
            return;
        }
        if (result.Missing)
        {
            // The record is gone (its table dropped and created again, or deleted by hand): ours again,
            // unless another copy has inserted it meanwhile.
            try
            {
                Written(write, (await KnownTables.WithTableAsync(record.Table, () => record.Table.AddEntityAsync(Entity(write), ct), ct)).Headers.ETag);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                LoseTo(write);
            }
            return;
        }
        if (result.Error!.Status == 412)
        {
            // Either the SDK retried a write of ours that had been applied, or another copy took the event over.
            var stored = await record.Table.GetEntityIfExistsAsync<TableEntity>(record.PartitionKey, LedgerKeys.RowKeyFor(write.Written.MessageId), cancellationToken: ct);
            if (stored.HasValue && EventRecordEntity.WrittenBy(stored.Value!, Run, write.Seq))
            {
                Written(write, stored.Value!.ETag);
            }
            else if (stored.HasValue && EventRecordEntity.WrittenBy(stored.Value!, Run)
                && stored.Value!.GetInt32("Seq") is { } seq && seq > record.ConfirmedSeq && seq < write.Seq)
            {
                // An earlier write of this session, sent but never confirmed, was applied though its answer
                // never came (storage failed in the middle of a batch, or a tick ran out of time): no other
                // copy has written since, so the event is still ours. This change goes again at once,
                // under the stored ETag.
                lock (record)
                {
                    record.ETag = stored.Value!.ETag;
                    record.ConfirmedSeq = seq;
                }
                if (!again)
                {
                    Write resend;
                    lock (record)
                    {
                        resend = write with { Seq = ++record.Seq };
                    }
                    var answer = await TableBatch.SubmitAsync(record.Table, [new TableTransactionAction(
                        TableTransactionActionType.UpdateReplace, Entity(resend), record.ETag)], transactions, ct);
                    await SettleAsync(resend, answer[0], again: true, ct);
                }
            }
            else
            {
                LoseTo(write);
            }
            return;
        }
        throw result.Error;
    }

    private static void Written(Write write, ETag? etag)
    {
        var record = write.Record;
        lock (record)
        {
            record.ConfirmedSeq = Math.Max(record.ConfirmedSeq, write.Seq);
            record.ETag = etag ?? ETag.All;
            record.WrittenLease = write.Written.LeaseUntil;
            if (record.FlushedVersion < write.Version)
            {
                record.FlushedVersion = write.Version;
            }
        }
    }

    private void LoseTo(Write write)
    {
        lock (write.Record)
        {
            write.Record.Lost = true;
            write.Record.Done = true;
        }
        LogLost(logger, write.Written.MessageId, workspaceId);
    }

    /// <summary>One record's write: the version and content written, and the write counter stored with it.</summary>
    private sealed record Write(RecordBuffer Buffer, TrackedRecord Record, int Version, EventRecord Written, int Seq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {MessageId} of workspace {WorkspaceId}: another copy owns it now (this one's hold ran out); this copy sends and records nothing more")]
    private static partial void LogLost(ILogger logger, string messageId, string workspaceId);
}
