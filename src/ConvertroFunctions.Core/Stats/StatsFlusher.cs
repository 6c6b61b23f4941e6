using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Stats;

/// <summary>
/// Writes this instance's <see cref="EventCounts"/> every <see cref="StatsOptions.FlushSeconds"/>
/// and once more when the host stops, so counts lag by at most that much. Runs in both hosts.
/// </summary>
public sealed partial class StatsFlusher(
    EventCounts counts, StatsStore store, TimeProvider time, IOptions<StatsOptions> options, ILogger<StatsFlusher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.FlushSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync writes the last counts.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    /// <summary>Writes the running totals; hours that ended long enough ago are then forgotten.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        var snapshot = counts.Snapshot();
        if (snapshot.Count == 0)
        {
            return;
        }
        try
        {
            await store.WriteAsync(counts.InstanceId, snapshot, ct);
            counts.Forget(EventCounts.HourOf(time.GetUtcNow()).AddHours(-1));
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Kept in memory: the next flush writes the totals again.
            LogFlushFailed(logger, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the event counts ({Error}); will try again")]
    private static partial void LogFlushFailed(ILogger logger, string error);
}
