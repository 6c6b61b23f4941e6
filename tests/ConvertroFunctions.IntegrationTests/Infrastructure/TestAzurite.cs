using ConvertroFunctions.LocalHost.Azurite;

namespace ConvertroFunctions.IntegrationTests.Infrastructure;

/// <summary>An Azurite for tests: in memory, on free loopback ports, so each start is a fresh account.</summary>
public static class TestAzurite
{
    public static Task<AzuriteProcess> StartAsync() =>
        AzuriteProcess.StartAsync(new AzuriteOptions { BlobPort = 0, QueuePort = 0, TablePort = 0 }, _ => { }, default);
}
