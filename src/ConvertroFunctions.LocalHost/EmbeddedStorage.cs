using System.Net.Sockets;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.LocalHost.Azurite;

namespace ConvertroFunctions.LocalHost;

/// <summary>
/// LocalHost's storage: whatever <c>AzureWebJobsStorage</c> names, except that when it is unset or
/// <c>UseDevelopmentStorage=true</c> and nothing listens on Azurite's ports, an Azurite is started
/// from the repo's npm package (data in .azurite/) and stopped on exit.
/// </summary>
public static class EmbeddedStorage
{
    private const string DevelopmentStorage = "UseDevelopmentStorage=true";

    public static async Task<AzuriteProcess?> EnsureAsync(ConfigurationManager configuration, Action<string> log, CancellationToken ct)
    {
        var value = configuration[StorageNames.ConnectionSetting];
        var identityBased = configuration.GetSection(StorageNames.ConnectionSetting).GetChildren().Any();
        var development = string.IsNullOrWhiteSpace(value)
            ? !identityBased
            : value.Trim().Equals(DevelopmentStorage, StringComparison.OrdinalIgnoreCase);
        if (!development)
        {
            return null;
        }

        var queueUp = await IsListeningAsync(AzuriteOptions.DefaultQueuePort, ct);
        var tableUp = await IsListeningAsync(AzuriteOptions.DefaultTablePort, ct);
        AzuriteProcess? started = null;
        if (queueUp && tableUp)
        {
            log($"Using the storage emulator already listening on 127.0.0.1:{AzuriteOptions.DefaultQueuePort} and :{AzuriteOptions.DefaultTablePort}.");
        }
        else if (queueUp || tableUp)
        {
            throw new InvalidOperationException(
                $"Something listens on only one of ports {AzuriteOptions.DefaultQueuePort} (queue) and {AzuriteOptions.DefaultTablePort} (table). " +
                "Stop it, start a full Azurite, or set AzureWebJobsStorage to a storage connection string.");
        }
        else
        {
            var location = Path.Combine(RepoPaths.FindRoot(), ".azurite");
            log($"Starting Azurite (data in {location})…");
            started = await AzuriteProcess.StartAsync(new AzuriteOptions { Location = location }, log, ct);
        }
        configuration.AddInMemoryCollection([new(StorageNames.ConnectionSetting, DevelopmentStorage)]);
        return started;
    }

    private static async Task<bool> IsListeningAsync(int port, CancellationToken ct)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
