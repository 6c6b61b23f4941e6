using System.Net;
using ConvertroFunctions.IntegrationTests.Infrastructure;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>Retry delays long enough for Convertro to come back within the schedule.</summary>
public sealed class SlowRetryPipeline : PipelineFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Delivery:RetryDelays", "00:00:01,00:00:02,00:00:03")];
}

/// <summary>Convertro's address refuses connections for a while, then answers again.</summary>
public sealed class ConnectionRefusedTests(SlowRetryPipeline pipeline) : IClassFixture<SlowRetryPipeline>
{
    [Fact]
    public async Task Deliver_ConnectionRefusedThenConvertroBack_EveryEventDeliveredExactlyOnce()
    {
        var ws = await pipeline.NewWorkspaceAsync(hybrid: true);
        var (body, expected) = FaultInjectionTests.MixedBatch("refused", 20);
        using var skips = new OutcomeCounter(pipeline.Host, ws.Id);
        using var retried = new OutcomeCounter(pipeline.Host, ws.Id, OutcomeCounter.Retried);
        var url = await pipeline.StopConvertroAsync();

        var ingest = await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", body);
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the first attempts fail: nothing listens
        await pipeline.StartConvertroAgainAsync(url);

        Assert.Equal(HttpStatusCode.Accepted, ingest.StatusCode);
        await Accounting.AssertEveryEventFinalAsync(pipeline, ws, expected, skips);
        Assert.All(pipeline.Convertro.RequestsFor(ws.ClientName), r => Assert.True(r.Accepted));
        // Every event with calls met a refused connection at least once.
        Assert.InRange(retried.Total, expected.Count(e => e.Calls.Count > 0), long.MaxValue);
    }
}
