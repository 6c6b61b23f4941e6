using ConvertroFunctions.LocalHost.Azurite;

namespace ConvertroFunctions.IntegrationTests.Infrastructure;

/// <summary>An Azurite and a fake Convertro, for test classes that start their own hosts.</summary>
public sealed class Backends : IAsyncLifetime
{
    public AzuriteProcess Azurite { get; private set; } = null!;

    public FakeConvertro Convertro { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Azurite = await TestAzurite.StartAsync();
        Convertro = await FakeConvertro.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Convertro.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
