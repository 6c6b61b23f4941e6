using ConvertroFunctions.Core.Storage;
using Microsoft.Extensions.Logging;

namespace ConvertroFunctions.Core.Ledger;

/// <summary>
/// The ledger's one flush per process (docs/architecture.md, "The event ledger"): every
/// <see cref="FlushInterval"/> it writes what changed in every open <see cref="LedgerSession"/>
/// (calls delivered, outcomes) and renews the leases of events still being sent, all in one batch,
/// so the messages in flight share one transaction per table and partition instead of each writing
/// its own every tick. A completed call is thus recorded within the interval, as before; with a
/// Convertro that takes 150 ms a call, one flush per message cost six transactions per message of
/// 50 events instead of two (docs/performance.md). It runs while a session is open.
/// </summary>
internal sealed partial class LedgerFlush(EventLedger ledger)
{
    /// <summary>How soon a completed call is recorded.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long one tick may take (Table storage slow or failing: the client's retries): every session
    /// in it waits to write or close meanwhile. What a tick cut short did not confirm stays to be written.
    /// </summary>
    public static readonly TimeSpan TickLimit = TimeSpan.FromSeconds(10);

    private readonly HashSet<RecordBuffer> _buffers = [];
    private Task? _loop;

    /// <summary>A session's records join the flush until <see cref="LeaveAsync"/>.</summary>
    public void Join(RecordBuffer buffer)
    {
        lock (_buffers)
        {
            if (buffer.Stopped)
            {
                return; // the session closed while it claimed
            }
            _buffers.Add(buffer);
            _loop ??= Task.Run(LoopAsync);
        }
    }

    /// <summary>A session closes (or, in tests, crashes): no tick writes its records once this returns.</summary>
    public async Task LeaveAsync(RecordBuffer buffer)
    {
        var stopped = buffer.StopSharedFlushAsync(); // stopped before the removal: a Join still under way then adds nothing
        lock (_buffers)
        {
            _buffers.Remove(buffer);
        }
        await stopped;
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            await Task.Delay(FlushInterval);
            RecordBuffer[] buffers;
            lock (_buffers)
            {
                if (_buffers.Count == 0)
                {
                    _loop = null; // the next Join starts it again
                    return;
                }
                buffers = [.. _buffers];
            }
            try
            {
                using var limit = new CancellationTokenSource(TickLimit);
                await RecordBuffer.FlushAsync(buffers, ledger.Time.GetUtcNow(), ledger.Lease, ledger.Transactions, limit.Token);
            }
            catch (Exception ex)
            {
                // Storage trouble: the next tick (or each session's close) writes it.
                LogFlushFailed(ledger.Logger, ex, buffers.Length);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record delivery progress of {Sessions} queue message(s); will try again")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, int sessions);
}
