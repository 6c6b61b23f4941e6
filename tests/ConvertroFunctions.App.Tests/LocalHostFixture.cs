using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost;
using ConvertroFunctions.LocalHost.Azurite;

namespace ConvertroFunctions.App.Tests;

/// <summary>A real LocalHost on a free loopback port, against its own in-memory Azurite on free ports.</summary>
public sealed class LocalHostFixture : IAsyncLifetime
{
    private AzuriteProcess? azurite;

    public LocalHostInstance Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        azurite = await TestAzurite.StartAsync();
        Host = await LocalHostApp.StartAsync(
            ["--urls", "http://127.0.0.1:0"],
            [new("AzureWebJobsStorage", azurite.ConnectionString), new("Logging:LogLevel:Default", "Warning")]);
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }
    }
}
