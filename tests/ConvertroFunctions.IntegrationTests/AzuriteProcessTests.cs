using ConvertroFunctions.IntegrationTests.Infrastructure;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>The Azurite LocalHost and the tests start: loopback only, and gone once disposed.</summary>
public sealed class AzuriteProcessTests
{
    [Fact]
    public async Task StartAsync_FreePorts_ListensOnLoopbackAndStopsWhenDisposed()
    {
        var azurite = await TestAzurite.StartAsync();
        var ports = new[] { azurite.BlobPort, azurite.QueuePort, azurite.TablePort };

        Assert.All(ports, port => Assert.True(Ports.Listening(port), $"port {port} should be open"));
        Assert.Contains($"QueueEndpoint=http://127.0.0.1:{azurite.QueuePort}/devstoreaccount1", azurite.ConnectionString);

        await azurite.DisposeAsync();

        Assert.All(ports, port => Assert.False(Ports.Listening(port), $"port {port} should be closed"));
    }
}
