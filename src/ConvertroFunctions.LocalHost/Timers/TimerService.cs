using ConvertroFunctions.Core.Http;
using NCrontab;

namespace ConvertroFunctions.LocalHost.Timers;

/// <summary>
/// The Functions app's timer functions in LocalHost, on their NCRONTAB schedule (six fields, with
/// seconds; UTC), parsed by the same NCrontab library as the Functions host's timer trigger. Like the
/// host's schedule monitor it keeps each timer's last and next occurrence (<see cref="ITimerStatusStore"/>):
/// an occurrence missed while LocalHost was stopped runs at start, as the host runs a past-due timer.
/// </summary>
public sealed partial class TimerService(
    TimerFunction function, IServiceProvider services, ITimerStatusStore store, TimeProvider time, ILogger<TimerService> logger) : BackgroundService
{
    private static readonly CrontabSchedule.ParseOptions WithSeconds = new() { IncludingSeconds = true };

    /// <summary>Parses an NCRONTAB expression as the Functions host does (the seconds field first).</summary>
    public static CrontabSchedule Parse(string schedule) => CrontabSchedule.Parse(schedule, WithSeconds);

    /// <summary>The first occurrence of <paramref name="schedule"/> strictly after <paramref name="after"/>, in UTC.</summary>
    public static DateTimeOffset NextOccurrence(CrontabSchedule schedule, DateTimeOffset after) =>
        new(DateTime.SpecifyKind(schedule.GetNextOccurrence(after.UtcDateTime), DateTimeKind.Utc));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schedule = Parse(function.Schedule);
        var run = function.Handler(services);
        try
        {
            var status = await ReadAsync(stoppingToken);
            if (status is not null && status.Next <= time.GetUtcNow())
            {
                LogPastDue(logger, function.Function, status.Next);
                status = await RunAsync(run, schedule, status.Next, stoppingToken);
            }
            while (!stoppingToken.IsCancellationRequested)
            {
                var now = time.GetUtcNow();
                var next = NextOccurrence(schedule, now);
                // Kept before waiting, so a LocalHost stopped before this occurrence runs it at its next start.
                await WriteAsync(new TimerStatus(status?.Last, next), stoppingToken);
                await Task.Delay(next - now, time, stoppingToken);
                status = await RunAsync(run, schedule, next, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task<TimerStatus> RunAsync(Func<CancellationToken, Task> run, CrontabSchedule schedule, DateTimeOffset occurrence, CancellationToken ct)
    {
        try
        {
            await run(ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            LogFailed(logger, ex, function.Function);
        }
        var status = new TimerStatus(occurrence, NextOccurrence(schedule, time.GetUtcNow()));
        await WriteAsync(status, ct);
        return status;
    }

    private async Task<TimerStatus?> ReadAsync(CancellationToken ct)
    {
        try
        {
            return await store.ReadAsync(function.Function, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            LogStatusUnavailable(logger, ex, function.Function);
            return null;
        }
    }

    private async Task WriteAsync(TimerStatus status, CancellationToken ct)
    {
        try
        {
            await store.WriteAsync(function.Function, status, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            LogStatusUnavailable(logger, ex, function.Function);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Function} failed; it runs again at its next occurrence")]
    private static partial void LogFailed(ILogger logger, Exception exception, string function);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Function} is past due (it was due at {Due:u} while LocalHost was stopped); running it now")]
    private static partial void LogPastDue(ILogger logger, string function, DateTimeOffset due);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: could not read or keep its schedule status in LocalHostTimers; a run missed while LocalHost is stopped may not be made up")]
    private static partial void LogStatusUnavailable(ILogger logger, Exception exception, string function);
}
