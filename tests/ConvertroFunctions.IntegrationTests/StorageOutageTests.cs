using System.Net;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost.Azurite;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>An Azurite that keeps its data on disk, so a test can stop it and start it again.</summary>
public sealed class RestartableAzuritePipeline : PipelineFixture
{
    private readonly string _location = Path.Combine(Path.GetTempPath(), "azurite-" + Guid.NewGuid().ToString("N"));
    private AzuriteOptions _options = null!;

    protected override async Task<AzuriteProcess> StartAzuriteAsync()
    {
        var azurite = await AzuriteProcess.StartAsync(
            new AzuriteOptions { Location = _location, BlobPort = 0, QueuePort = 0, TablePort = 0 }, _ => { }, default);
        _options = new AzuriteOptions { Location = _location, BlobPort = azurite.BlobPort, QueuePort = azurite.QueuePort, TablePort = azurite.TablePort };
        return azurite;
    }

    public Task StopAzuriteAsync() => Azurite.DisposeAsync().AsTask();

    /// <summary>The same ports and data as before, as after an outage.</summary>
    public async Task StartAzuriteAgainAsync() => SetAzurite(await AzuriteProcess.StartAsync(_options, _ => { }, default));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_location, recursive: true);
    }
}

/// <summary>Storage goes away during ingest and comes back (docs/api.md, "Ingest": 503 with Retry-After, then a retry succeeds).</summary>
public sealed class StorageOutageTests(RestartableAzuritePipeline pipeline) : IClassFixture<RestartableAzuritePipeline>
{
    [Fact]
    public async Task Ingest_AzuriteStoppedThenBack_503WithRetryAfterThenTheRetryIsAcceptedAndDelivered()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var before = await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Identify("before-outage").ToJsonString());
        await pipeline.Convertro.WaitForAsync(ws.ClientName, 1);
        var during = Segment.Array(Segment.Identify("during-outage-1"), Segment.Track("during-outage-2", "Signed Up"));

        await pipeline.StopAzuriteAsync();
        var refused = await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", during);
        var health = await pipeline.Client.GetAsync("/api/health");
        await pipeline.StartAzuriteAgainAsync();
        var retried = await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", during);

        Assert.Equal(HttpStatusCode.Accepted, before.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        await Accounting.AssertEveryEventFinalAsync(pipeline, ws,
        [
            ExpectedOutcome.Delivered("before-outage", "users"),
            ExpectedOutcome.Delivered("during-outage-1", "users"),
            ExpectedOutcome.Delivered("during-outage-2", "events:Signed Up"),
        ]);
    }
}
