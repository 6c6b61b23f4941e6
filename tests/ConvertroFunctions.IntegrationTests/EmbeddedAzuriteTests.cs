using Azure.Storage.Queues;
using ConvertroFunctions.LocalHost.Azurite;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// The Azurite LocalHost starts itself is started again when it dies, on the same ports and data
/// folder (Azurite saves its data every few seconds, so what was written just before a crash may be lost).
/// </summary>
public sealed class EmbeddedAzuriteTests
{
    [Fact]
    public async Task Watch_AzuriteKilled_StartedAgainOnTheSamePortsAndServing()
    {
        var folder = Directory.CreateTempSubdirectory("convertro-azurite-").FullName;
        var log = new List<string>();
        string? gaveUp = null;
        await using var azurite = await EmbeddedAzurite.StartAsync(
            new AzuriteOptions { BlobPort = 0, QueuePort = 0, TablePort = 0, Location = folder }, line => { lock (log) { log.Add(line); } }, default);
        azurite.Watch(reason => gaveUp = reason);
        var (queuePort, tablePort) = (azurite.QueuePort, azurite.TablePort);

        azurite.Current.Kill();

        await Infrastructure.Eventually.TrueAsync(() => azurite.Restarts == 1, TimeSpan.FromSeconds(60), () => string.Join("\n", log));
        Assert.Equal((queuePort, tablePort), (azurite.QueuePort, azurite.TablePort));
        var queue = new QueueClient(azurite.Current.ConnectionString, "after-" + Guid.NewGuid().ToString("N")[..8]);
        await queue.CreateIfNotExistsAsync();
        Assert.True((await queue.ExistsAsync()).Value);
        Assert.Null(gaveUp);
        Assert.Contains(log, l => l.Contains("stopped unexpectedly", StringComparison.Ordinal));
        Directory.Delete(folder, recursive: true);
    }
}
