using System.Net;
using System.Text.Json.Nodes;
using ConvertroFunctions.IntegrationTests.Infrastructure;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>LocalHost whose Table storage is reached through a proxy a test can break; the queue is reached directly.</summary>
public sealed class TableOutagePipeline : PipelineFixture
{
    public TcpProxy Tables { get; private set; } = null!;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings
    {
        get
        {
            Tables = TcpProxy.Start(Azurite.TablePort);
            return
            [
                new("AzureWebJobsStorage", Azurite.ConnectionString.Replace($":{Azurite.TablePort}/", $":{Tables.Port}/", StringComparison.Ordinal)),
                new("Convertro:TimeoutSeconds", "5"),
                new("Delivery:RetryDelays", "00:00:01,00:00:02,00:00:04"),
            ];
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Tables.DisposeAsync();
    }
}

/// <summary>
/// Table storage alone goes away for minutes in the middle of a delivery, while the queue keeps
/// working (a regional blip, a throttled partition), then comes back (docs/architecture.md,
/// "Delivery": a storage outage is a wait, not a failure). Nothing is lost, nothing is dead-lettered,
/// and no call is accepted twice.
/// </summary>
public sealed class TableOutageTests(TableOutagePipeline pipeline) : IClassFixture<TableOutagePipeline>
{
    private static readonly TimeSpan Outage = TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Deliver_TablesUnreachableForThreeMinutesMidDelivery_EveryEventDeliveredOnceNoDeadLetters()
    {
        var ws = await pipeline.NewWorkspaceAsync(hybrid: true);
        var batches = Enumerable.Range(0, 40).Select(b => FaultInjectionTests.MixedBatch($"outage-{b:D2}", 10)).ToList();
        var calls = batches.Sum(b => b.Expected.Sum(e => e.Calls.Count));
        using var waits = new OutcomeCounter(pipeline.Host, ws.Id, "convertro.events.storage_waits");
        using var deadLettered = new OutcomeCounter(pipeline.Host, ws.Id, OutcomeCounter.DeadLettered);
        pipeline.Convertro.ResponseDelay = TimeSpan.FromSeconds(1); // a slow Convertro: the outage lands mid-delivery
        foreach (var (body, _) in batches)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", body)).StatusCode);
        }
        await Eventually.TrueAsync(() => pipeline.Convertro.RequestsFor(ws.ClientName).Count(r => r.Accepted) >= calls / 10,
            message: () => "delivery did not start");

        pipeline.Tables.Break();
        var deliveredAtBreak = pipeline.Convertro.RequestsFor(ws.ClientName).Count(r => r.Accepted);
        await Task.Delay(TimeSpan.FromSeconds(20));
        var health = await pipeline.Client.GetAsync("/api/health");
        await Task.Delay(Outage - TimeSpan.FromSeconds(20));
        pipeline.Tables.Restore();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.InRange(deliveredAtBreak, calls / 10, calls - 1);
        Assert.True(waits.Total > 0, "no event waited for Table storage");
        await Accounting.AssertEveryEventFinalAsync(pipeline, ws, [.. batches.SelectMany(b => b.Expected)],
            timeout: TimeSpan.FromMinutes(4), settle: TimeSpan.FromSeconds(5));
        Assert.Equal(0, deadLettered.Total);
        Assert.Empty(await pipeline.DeadLettersAsync(ws.Id));
    }
}
