using System.Collections.Concurrent;
using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Privacy;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost.Timers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// LocalHost's timers run on the NCRONTAB schedule of the Functions app's [TimerTrigger] (one constant,
/// <see cref="RetentionJob.Schedule"/>), on a clock the test moves, and make up a run missed while
/// LocalHost was stopped, as the Functions host runs a past-due timer.
/// </summary>
public sealed class TimerServiceTests
{
    private static readonly DateTimeOffset Due = new(2026, 3, 1, 3, 17, 0, TimeSpan.Zero);

    [Fact]
    public void TheRetentionSchedule_IsDailyAt0317Utc()
    {
        var schedule = TimerService.Parse(RetentionJob.Schedule);

        Assert.Equal(Due, TimerService.NextOccurrence(schedule, Due.AddHours(-1)));
        Assert.Equal(Due.AddDays(1), TimerService.NextOccurrence(schedule, Due));
        Assert.Contains(AppFunctions.TimerFunctions, f => f.Function == "RetentionFunction" && f.Schedule == RetentionJob.Schedule);
    }

    [Fact]
    public async Task TheJob_RunsWhenTheClockCrossesItsOccurrence_NotBefore_AndKeepsItsStatus()
    {
        var clock = new FakeTimeProvider(Due.AddMinutes(-17));
        var store = new MemoryStore();
        var timer = new Timer(clock, store);
        await timer.Service.StartAsync(default);

        await Eventually.TrueAsync(() => store.Get()?.Next == Due, message: () => $"status: {store.Get()}");
        clock.Advance(TimeSpan.FromMinutes(16));
        await Task.Delay(200);
        Assert.Equal(0, timer.Runs);

        clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(() => timer.Runs == 1);
        await Eventually.TrueAsync(() => store.Get() == new TimerStatus(Due, Due.AddDays(1)), message: () => $"status: {store.Get()}");

        clock.Advance(TimeSpan.FromDays(1));
        await Eventually.TrueAsync(() => timer.Runs == 2);
        await timer.Service.StopAsync(default);
    }

    [Fact]
    public async Task ARunMissedWhileStopped_RunsAtStart()
    {
        var clock = new FakeTimeProvider(Due.AddHours(7));
        var store = new MemoryStore(new TimerStatus(Due.AddDays(-1), Due));
        var timer = new Timer(clock, store);
        await timer.Service.StartAsync(default);

        await Eventually.TrueAsync(() => timer.Runs == 1);
        await Eventually.TrueAsync(() => store.Get() == new TimerStatus(Due, Due.AddDays(1)), message: () => $"status: {store.Get()}");
        await timer.Service.StopAsync(default);
    }

    [Fact]
    public async Task AnOccurrenceNotYetDue_DoesNotRunAtStart()
    {
        var clock = new FakeTimeProvider(Due.AddHours(-7));
        var store = new MemoryStore(new TimerStatus(Due.AddDays(-1), Due));
        var timer = new Timer(clock, store);
        await timer.Service.StartAsync(default);

        await Task.Delay(300);
        Assert.Equal(0, timer.Runs);
        Assert.Equal(new TimerStatus(Due.AddDays(-1), Due), store.Get());
        await timer.Service.StopAsync(default);
    }

    [Fact]
    public async Task TheStatus_IsKeptInTheLocalHostTimersTable()
    {
        await using var azurite = await TestAzurite.StartAsync();
        var clients = StorageClients.ForConnectionString(azurite.ConnectionString);
        var store = new TableTimerStatusStore(clients);

        Assert.Null(await store.ReadAsync("RetentionFunction", default));
        await store.WriteAsync("RetentionFunction", new TimerStatus(null, Due), default);
        Assert.Equal(new TimerStatus(null, Due), await store.ReadAsync("RetentionFunction", default));
        await store.WriteAsync("RetentionFunction", new TimerStatus(Due, Due.AddDays(1)), default);
        Assert.Equal(new TimerStatus(Due, Due.AddDays(1)), await new TableTimerStatusStore(clients).ReadAsync("RetentionFunction", default));
        Assert.True((await clients.Tables.GetTableClient(TableTimerStatusStore.TableName).GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("timer", "RetentionFunction")).HasValue);
    }

    private sealed class Timer
    {
        private int _runs;

        public Timer(TimeProvider clock, ITimerStatusStore store)
        {
            var function = new TimerFunction("RetentionFunction", RetentionJob.Schedule, _ => _ =>
            {
                Interlocked.Increment(ref _runs);
                return Task.CompletedTask;
            });
            Service = new TimerService(function, new ServiceProviderStub(), store, clock, NullLogger<TimerService>.Instance);
        }

        public TimerService Service { get; }

        public int Runs => Volatile.Read(ref _runs);
    }

    private sealed class ServiceProviderStub : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }

    private sealed class MemoryStore(TimerStatus? initial = null) : ITimerStatusStore
    {
        private readonly ConcurrentDictionary<string, TimerStatus> _rows = initial is null ? new() : new() { ["RetentionFunction"] = initial };

        public TimerStatus? Get() => _rows.GetValueOrDefault("RetentionFunction");

        public Task<TimerStatus?> ReadAsync(string function, CancellationToken ct) => Task.FromResult(_rows.GetValueOrDefault(function));

        public Task WriteAsync(string function, TimerStatus status, CancellationToken ct)
        {
            _rows[function] = status;
            return Task.CompletedTask;
        }
    }
}
