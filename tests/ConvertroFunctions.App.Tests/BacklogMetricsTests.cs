using System.Text;
using ConvertroFunctions.Core.Monitoring;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace ConvertroFunctions.App.Tests;

/// <summary>
/// The Functions app's services (as Program.cs registers them, exporting through OpenTelemetry)
/// against a real Azurite, with the clock in the test's hand: while segment-events holds a message
/// nobody takes, each measurement exports a larger <see cref="MetricNames.OldestMessageAge"/> for
/// that queue, until it passes the alert's default threshold; the poison queue stays at zero. The
/// in-memory exporter beside the Azure Monitor one (pointed at a refused loopback port) is read.
/// </summary>
[Collection(MeterListenerCollection.Name)]
public sealed class BacklogMetricsTests
{
    static BacklogMetricsTests() => AzureMonitorExporterInTests.StayOnThisMachine();

    [Fact]
    public async Task OldestMessageAge_QueueHoldsAMessageWhileTimePasses_ExportedAgeRisesPastTheAlertThreshold()
    {
        await using var azurite = await TestAzurite.StartAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var services = MetricsExportTests.AppServicesWithConnectionString(MetricsExportTests.LoopbackConnectionString, storage: azurite.ConnectionString);
        services.AddSingleton<TimeProvider>(clock);
        var exported = new List<MetricSnapshot>();
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(exported));
        await using var provider = AppServicesTests.Build(services);
        var meterProvider = provider.GetRequiredService<MeterProvider>();
        var monitor = provider.GetRequiredService<OperationsMonitor>();
        var queue = provider.GetRequiredService<EventQueue>();
        await queue.Queue.CreateIfNotExistsAsync();
        await queue.EnqueueAsync("acme", clock.GetUtcNow(), [Encoding.UTF8.GetBytes("""{"type":"identify","messageId":"m-1","userId":"u"}""")], default);

        var ages = new List<double>();
        foreach (var later in new[] { TimeSpan.Zero, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(35) })
        {
            clock.Advance(later);
            await monitor.MeasureBacklogAsync(default);
            exported.Clear();
            // The Azure Monitor reader's export fails (port 9 refuses), so ForceFlush's result says nothing here.
            meterProvider.ForceFlush(10_000);
            ages.Add(Gauge(exported, MetricNames.OldestMessageAge)[StorageNames.EventsQueue]);
            Assert.Equal(0, Gauge(exported, MetricNames.OldestMessageAge)[StorageNames.PoisonQueue]);
            Assert.Equal(new Dictionary<string, double> { [StorageNames.EventsQueue] = 1, [StorageNames.PoisonQueue] = 0 }, Gauge(exported, MetricNames.QueueLength));
        }

        Assert.InRange(ages[0], 0, 30);
        Assert.InRange(ages[1] - ages[0], 599, 601);
        Assert.InRange(ages[2] - ages[1], 2099, 2101);
        Assert.True(ages[2] > new MonitoringOptions().OldestMessageMinutes * 60, $"ages {string.Join(", ", ages)} never passed the alert's threshold");
    }

    /// <summary>A gauge's last values by queue; failing with the names exported when it is missing.</summary>
    private static Dictionary<string, double> Gauge(List<MetricSnapshot> exported, string name)
    {
        var metric = exported.LastOrDefault(m => m.Name == name)
            ?? throw new Xunit.Sdk.XunitException($"{name} was not exported; exported: {string.Join(", ", exported.Select(m => m.Name).Distinct())}");
        var values = new Dictionary<string, double>();
        foreach (var point in metric.MetricPoints)
        {
            string? queue = null;
            foreach (var tag in point.Tags)
            {
                queue = tag.Key == MetricNames.Tags.Queue ? (string?)tag.Value : queue;
            }
            values[queue!] = metric.MetricType == MetricType.LongGauge ? point.GetGaugeLastValueLong() : point.GetGaugeLastValueDouble();
        }
        return values;
    }
}
