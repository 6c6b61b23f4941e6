using System.Net;
using System.Text.Json;
using ConvertroFunctions.IntegrationTests.Infrastructure;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// In-process retries on, queue retries an hour away: a second request within seconds can only
/// come from the typed HttpClient's own retry.
/// </summary>
public sealed class InProcessRetryPipelineFixture : PipelineFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Convertro:InProcessRetries", "2"),
        new("Delivery:RetryDelays", "01:00:00"),
    ];
}

public sealed class InProcessRetryTests(InProcessRetryPipelineFixture pipeline) : IClassFixture<InProcessRetryPipelineFixture>
{
    [Fact]
    public async Task Deliver_5xxThenSuccess_RetriedInProcessWithoutWaitingForTheQueue()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        pipeline.Convertro.Script(ws.ClientName, new FakeResponse(503), new FakeResponse(502));

        await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Identify("inproc-1").ToJsonString());

        var requests = await pipeline.Convertro.WaitForAsync(ws.ClientName, 3, TimeSpan.FromSeconds(20));
        Assert.All(requests, r => Assert.Equal(Segment.ExpectedUser(ws, Segment.UserOf("inproc-1")), r.Target));
        await Task.Delay(1000);
        Assert.Equal(3, pipeline.Convertro.RequestsFor(ws.ClientName).Count);
        Assert.Empty(await pipeline.DeadLettersAsync(ws.Id));
    }

    [Fact]
    public async Task Deliver_429_LeftToTheQueueNotRetriedInProcess()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        pipeline.Convertro.Script(ws.ClientName, new FakeResponse(429));

        await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Identify("inproc-429").ToJsonString());

        await pipeline.Convertro.WaitForAsync(ws.ClientName, 1);
        await Task.Delay(3000);
        Assert.Single(pipeline.Convertro.RequestsFor(ws.ClientName));
        Assert.Empty(await pipeline.DeadLettersAsync(ws.Id)); // waiting in the queue for its next attempt
    }

    [Fact]
    public async Task Deliver_PermanentError_NotRetriedInProcess()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        pipeline.Convertro.Script(ws.ClientName, new FakeResponse(404));

        await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Identify("inproc-404").ToJsonString());

        await Eventually.TrueAsync(async () => (await pipeline.DeadLettersAsync(ws.Id)).Count == 1);
        Assert.Single(pipeline.Convertro.RequestsFor(ws.ClientName));
    }
}
