using System.Net;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost;
using ConvertroFunctions.LocalHost.Azurite;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>LocalHost with no storage configured: the one-command default.</summary>
public sealed class EmbeddedStorageTests
{
    [Fact]
    public async Task Start_NoStorageConfigured_UsesAzuriteOnTheDefaultPortsAndStopsWhatItStarted()
    {
        var alreadyRunning = Ports.Listening(AzuriteOptions.DefaultQueuePort) && Ports.Listening(AzuriteOptions.DefaultTablePort);
        await using var convertro = await FakeConvertro.StartAsync();
        var settings = PipelineFixture.DefaultSettings(storage: "", convertro.BaseUrl);

        var host = await LocalHostApp.StartAsync(["--urls", "http://127.0.0.1:0"], settings);
        try
        {
            using var client = new HttpClient { BaseAddress = host.BaseAddress };
            Assert.Equal("UseDevelopmentStorage=true", host.App.Configuration["AzureWebJobsStorage"]);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/health")).StatusCode);
            if (alreadyRunning)
            {
                Assert.Null(host.Azurite); // an Azurite already on 10001/10002 is used as is
            }
            else
            {
                Assert.NotNull(host.Azurite);
                Assert.Equal(AzuriteOptions.DefaultQueuePort, host.Azurite.QueuePort);
            }
        }
        finally
        {
            await host.DisposeAsync();
        }

        Assert.Equal(alreadyRunning, Ports.Listening(AzuriteOptions.DefaultQueuePort));
        Assert.Equal(alreadyRunning, Ports.Listening(AzuriteOptions.DefaultTablePort));
    }
}
