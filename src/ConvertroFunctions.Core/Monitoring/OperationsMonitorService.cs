using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Monitoring;

/// <summary>
/// Measures the queues every <see cref="MonitoringOptions.IntervalSeconds"/> and counts the dead
/// letters every <see cref="MonitoringOptions.DeadLetterCountSeconds"/>, from the start, in both
/// hosts (a hosted service of Core's wiring). A failed measurement is logged once and tried again
/// at the next tick; meanwhile the gauges go quiet (<see cref="OperationsMonitor"/>).
/// </summary>
public sealed partial class OperationsMonitorService(
    OperationsMonitor monitor, TimeProvider time, IOptions<MonitoringOptions> options, ILogger<OperationsMonitorService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(
        EveryAsync(options.Value.IntervalSeconds, "the queues", monitor.MeasureBacklogAsync, stoppingToken),
        EveryAsync(options.Value.DeadLetterCountSeconds, "the dead letters", monitor.CountDeadLettersAsync, stoppingToken));

    private async Task EveryAsync<T>(int seconds, string what, Func<CancellationToken, Task<T>> measure, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds), time);
        try
        {
            do
            {
                try
                {
                    await measure(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogMeasureFailed(logger, what, ex.Message.Split('\n')[0], seconds);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not measure {What} ({Error}); their gauges pause until the next try in {Seconds} s")]
    private static partial void LogMeasureFailed(ILogger logger, string what, string error, int seconds);
}
