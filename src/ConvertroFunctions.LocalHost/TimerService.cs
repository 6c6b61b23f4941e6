using ConvertroFunctions.Core.Http;

namespace ConvertroFunctions.LocalHost;

/// <summary>
/// The Functions app's timer functions in LocalHost: each runs a minute after start and then every
/// day (LocalHost is a development host that is often stopped at night, so it does not wait for the
/// NCRONTAB time of day; the job itself is the same Core code).
/// </summary>
public sealed partial class TimerService(TimerFunction function, IServiceProvider services, ILogger<TimerService> logger) : BackgroundService
{
    public static readonly TimeSpan FirstRun = TimeSpan.FromMinutes(1), Interval = TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var run = function.Handler(services);
        try
        {
            await Task.Delay(FirstRun, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await run(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogFailed(logger, ex, function.Function);
                }
                await Task.Delay(Interval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Function} failed; it runs again tomorrow")]
    private static partial void LogFailed(ILogger logger, Exception exception, string function);
}
