using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace ConvertroFunctions.Core.Storage;

/// <summary>
/// The two Azure service clients, built once from <c>AzureWebJobsStorage</c> the way the Functions
/// host reads it: a connection string, or identity-based settings
/// (<c>AzureWebJobsStorage__accountName</c> or <c>__queueServiceUri</c>/<c>__tableServiceUri</c>,
/// with <c>__clientId</c> for a user-assigned identity). Queue and table clients derive from these.
/// </summary>
public sealed class StorageClients
{
    private readonly Func<QueueClientOptions, QueueServiceClient> _queueServiceFactory;
    private readonly Action<ClientOptions>? _configure;

    private StorageClients(
        Func<QueueClientOptions, QueueServiceClient> queueServiceFactory, TableServiceClient tables, TableTransactions? transactions, Action<ClientOptions>? configure)
    {
        _queueServiceFactory = queueServiceFactory;
        _configure = configure;
        Queues = queueServiceFactory(NewQueueOptions(QueueMessageEncoding.Base64));
        Tables = tables;
        Transactions = transactions;
    }

    /// <summary>Queue clients from here encode and decode base64, like the Functions queue trigger.</summary>
    public QueueServiceClient Queues { get; }

    public TableServiceClient Tables { get; }

    /// <summary>Entity-group transactions without the SDK's per-operation cost (<see cref="TableBatch"/> uses them); null where they cannot sign.</summary>
    public TableTransactions? Transactions { get; }

    /// <summary>
    /// A queue client with its own message encoding: a queue host (LocalHost's listener) reads raw
    /// text and decodes it as host.json says, so a message it cannot decode goes to the poison queue.
    /// </summary>
    public QueueClient CreateQueueClient(string queueName, QueueMessageEncoding encoding) =>
        _queueServiceFactory(NewQueueOptions(encoding)).GetQueueClient(queueName);

    /// <summary>For a connection string (tests, benchmarks, tools): as if <c>AzureWebJobsStorage</c> named it.</summary>
    public static StorageClients ForConnectionString(string connectionString, Action<ClientOptions>? configure = null) =>
        FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection([new(StorageNames.ConnectionSetting, connectionString)]).Build(), configure);

    /// <param name="configure">Changes to every client's options (tests: a policy that counts requests).</param>
    public static StorageClients FromConfiguration(IConfiguration configuration, Action<ClientOptions>? configure = null)
    {
        var tableOptions = new TableClientOptions();
        ConfigureRetries(tableOptions.Retry);
        configure?.Invoke(tableOptions);

        var connectionString = configuration[StorageNames.ConnectionSetting];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            var tables = new TableServiceClient(connectionString, tableOptions);
            if (EmulatorTransactionGate.For(tables.Uri, tables.AccountName) is { } gate)
            {
                tableOptions.AddPolicy(gate, HttpPipelinePosition.PerRetry);
                tables = new TableServiceClient(connectionString, tableOptions);
            }
            var key = AccountKey(connectionString);
            return new StorageClients(options => new QueueServiceClient(connectionString, options), tables,
                key is null ? null : TableTransactions.WithKey(tableOptions, tables.Uri, tables.AccountName, key), configure);
        }

        var section = configuration.GetSection(StorageNames.ConnectionSetting);
        var account = section["accountName"];
        var queueUri = section["queueServiceUri"] ?? (account is null ? null : $"https://{account}.queue.core.windows.net");
        var tableUri = section["tableServiceUri"] ?? (account is null ? null : $"https://{account}.table.core.windows.net");
        if (queueUri is null || tableUri is null)
        {
            throw new InvalidOperationException(
                $"Storage is not configured. Set {StorageNames.ConnectionSetting} to a connection string " +
                "(UseDevelopmentStorage=true for Azurite), or set AzureWebJobsStorage__accountName (or " +
                "__queueServiceUri and __tableServiceUri) for identity-based access.");
        }
        var credential = Credential(section["credential"], section["clientId"]);
        return new StorageClients(
            options => new QueueServiceClient(new Uri(queueUri), credential, options),
            new TableServiceClient(new Uri(tableUri), credential, tableOptions),
            TableTransactions.WithToken(tableOptions, new Uri(tableUri), credential), configure);
    }

    /// <summary>The connection string's account key (the emulator's well-known one for <c>UseDevelopmentStorage=true</c>); null for a SAS.</summary>
    private static string? AccountKey(string connectionString)
    {
        var parts = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (parts.TryGetValue("UseDevelopmentStorage", out var dev) && string.Equals(dev as string, "true", StringComparison.OrdinalIgnoreCase))
        {
            return DevelopmentAccountKey;
        }
        return parts.TryGetValue("AccountKey", out var key) ? key as string : null;
    }

    /// <summary>The storage emulator's published account key (devstoreaccount1).</summary>
    private const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>
    /// <c>__credential=managedidentity</c> (what the Functions host reads, and what infra/ sets): the
    /// app's managed identity, user-assigned when <c>__clientId</c> is given. Otherwise the developer
    /// credential chain (Azure CLI, Visual Studio, environment), for running against Azure locally.
    /// </summary>
    private static TokenCredential Credential(string? kind, string? clientId)
    {
        return string.Equals(kind, "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? ManagedIdentity(clientId)
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
    }

    /// <summary>The app's managed identity: user-assigned when <paramref name="clientId"/> is given, else system-assigned.</summary>
    public static ManagedIdentityCredential ManagedIdentity(string? clientId) => new(string.IsNullOrEmpty(clientId)
        ? ManagedIdentityId.SystemAssigned
        : ManagedIdentityId.FromUserAssignedClientId(clientId));

    private QueueClientOptions NewQueueOptions(QueueMessageEncoding encoding)
    {
        var options = new QueueClientOptions { MessageEncoding = encoding };
        ConfigureRetries(options.Retry);
        _configure?.Invoke(options);
        return options;
    }

    /// <summary>
    /// Few, quick retries: ingest must answer Segment within about 3 s, and delivery is retried by
    /// the queue anyway.
    /// </summary>
    private static void ConfigureRetries(RetryOptions retry)
    {
        retry.Mode = RetryMode.Exponential;
        retry.MaxRetries = 2;
        retry.Delay = TimeSpan.FromMilliseconds(100);
        retry.MaxDelay = TimeSpan.FromSeconds(1);
        retry.NetworkTimeout = TimeSpan.FromSeconds(10);
    }
}
