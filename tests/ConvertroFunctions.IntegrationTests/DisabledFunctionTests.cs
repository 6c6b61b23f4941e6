using System.Net;
using Azure.Storage.Queues;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>AzureWebJobs.DeliverFunction.Disabled pauses delivery, as it does in the Functions host.</summary>
public sealed class DisabledFunctionTests(Backends backends) : IClassFixture<Backends>
{
    [Fact]
    public async Task Start_DeliverFunctionDisabled_IngestStillQueuesButNothingIsDelivered()
    {
        var settings = PipelineFixture.DefaultSettings(backends.Azurite.ConnectionString, backends.Convertro.BaseUrl);
        settings["AzureWebJobs.DeliverFunction.Disabled"] = "true";
        await using var host = await LocalHostApp.StartAsync(["--urls", "http://127.0.0.1:0"], settings);
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        var ws = await Admin.NewWorkspaceAsync(client);

        var ingest = await client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Identify("paused-1").ToJsonString());
        await Task.Delay(1500);

        Assert.Equal(HttpStatusCode.Accepted, ingest.StatusCode);
        Assert.Empty(backends.Convertro.RequestsFor(ws.ClientName));
        var queue = new QueueClient(backends.Azurite.ConnectionString, StorageNames.EventsQueue);
        Assert.Single((await queue.PeekMessagesAsync(10)).Value);
    }
}
