using System.Data.Common;
using System.Net.Sockets;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.LocalHost.Azurite;

namespace ConvertroFunctions.LocalHost;

/// <summary>The storage LocalHost uses.</summary>
/// <param name="Started">The Azurite LocalHost started (and stops on exit), if it started one.</param>
/// <param name="Description">For the start-up banner.</param>
public sealed record StorageInUse(EmbeddedAzurite? Started, string Description);

/// <summary>
/// LocalHost's storage: whatever <c>AzureWebJobsStorage</c> names, except that when it is unset or
/// <c>UseDevelopmentStorage=true</c> and nothing listens on Azurite's ports, an Azurite is started
/// from the repo's npm package (data in .azurite/) and stopped on exit.
/// </summary>
public static class EmbeddedStorage
{
    private const string DevelopmentStorage = "UseDevelopmentStorage=true";

    public static async Task<StorageInUse> EnsureAsync(ConfigurationManager configuration, Action<string> log, CancellationToken ct)
    {
        var value = configuration[StorageNames.ConnectionSetting];
        var identityBased = configuration.GetSection(StorageNames.ConnectionSetting).GetChildren().Any();
        var development = string.IsNullOrWhiteSpace(value)
            ? !identityBased
            : value.Trim().Equals(DevelopmentStorage, StringComparison.OrdinalIgnoreCase);
        if (!development)
        {
            return new StorageInUse(null, identityBased
                ? $"the storage account of {StorageNames.ConnectionSetting}__* (identity-based)"
                : $"the storage account of {StorageNames.ConnectionSetting} ({AccountOf(value!)})");
        }

        var queueUp = await IsListeningAsync(AzuriteOptions.DefaultQueuePort, ct);
        var tableUp = await IsListeningAsync(AzuriteOptions.DefaultTablePort, ct);
        EmbeddedAzurite? started = null;
        string description;
        if (queueUp && tableUp)
        {
            description = $"the Azurite already listening on 127.0.0.1:{AzuriteOptions.DefaultQueuePort} (queues) and :{AzuriteOptions.DefaultTablePort} (tables)";
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
            started = await EmbeddedAzurite.StartAsync(new AzuriteOptions { Location = location }, log, ct);
            description = $"Azurite started by LocalHost on 127.0.0.1:{started.QueuePort}/{started.TablePort} (data in {location})";
        }
        configuration.AddInMemoryCollection([new(StorageNames.ConnectionSetting, DevelopmentStorage)]);
        return new StorageInUse(started, description);
    }

    /// <summary>The account a connection string names, never its key.</summary>
    private static string AccountOf(string connectionString)
    {
        try
        {
            var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
            return parts.TryGetValue("AccountName", out var name) && name is string { Length: > 0 } account ? account : NoAccount;
        }
        catch (ArgumentException)
        {
            return NoAccount;
        }
    }

    private const string NoAccount = "account not named";

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
