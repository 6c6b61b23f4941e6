using ConvertroFunctions.Core.Storage;
using Microsoft.Extensions.Configuration;

namespace ConvertroFunctions.Core.Tests;

/// <summary>AzureWebJobsStorage is read the way the Functions host reads it.</summary>
public sealed class StorageClientsTests
{
    private static StorageClients From(params (string Key, string Value)[] settings) =>
        StorageClients.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    [Fact]
    public void FromConfiguration_DevelopmentStorage_AzuriteEndpoints()
    {
        var clients = From(("AzureWebJobsStorage", "UseDevelopmentStorage=true"));

        Assert.Equal("http://127.0.0.1:10001/devstoreaccount1", clients.Queues.Uri.ToString().TrimEnd('/'));
        Assert.Equal("http://127.0.0.1:10002/devstoreaccount1", clients.Tables.Uri.ToString().TrimEnd('/'));
    }

    [Fact]
    public void FromConfiguration_IdentityBasedAccountName_ServiceUrisFromTheAccount()
    {
        var clients = From(("AzureWebJobsStorage:accountName", "stconvertro"), ("AzureWebJobsStorage:credential", "managedidentity"),
            ("AzureWebJobsStorage:clientId", "00000000-0000-0000-0000-000000000001"));

        Assert.Equal("https://stconvertro.queue.core.windows.net/", clients.Queues.Uri.ToString());
        Assert.Equal("https://stconvertro.table.core.windows.net/", clients.Tables.Uri.ToString());
    }

    [Fact]
    public void FromConfiguration_IdentityBasedServiceUris_UsedAsGiven()
    {
        var clients = From(("AzureWebJobsStorage:queueServiceUri", "https://q.example.net/"),
            ("AzureWebJobsStorage:tableServiceUri", "https://t.example.net/"), ("AzureWebJobsStorage:credential", "managedidentity"));

        Assert.Equal("https://q.example.net/", clients.Queues.Uri.ToString());
        Assert.Equal("https://t.example.net/", clients.Tables.Uri.ToString());
    }

    [Fact]
    public void FromConfiguration_NothingConfigured_ErrorSaysWhatToSet()
    {
        var error = Assert.Throws<InvalidOperationException>(() => From());

        Assert.Contains("AzureWebJobsStorage", error.Message);
        Assert.Contains("__accountName", error.Message);
    }

    [Fact]
    public void CreateQueueClient_OwnEncoding_SameAccountAndQueue()
    {
        var clients = From(("AzureWebJobsStorage", "UseDevelopmentStorage=true"));

        var raw = clients.CreateQueueClient(StorageNames.EventsQueue, Azure.Storage.Queues.QueueMessageEncoding.None);

        Assert.Equal(clients.Queues.GetQueueClient(StorageNames.EventsQueue).Uri, raw.Uri);
    }

    [Theory]
    [InlineData("http://127.0.0.1:10002/devstoreaccount1", "devstoreaccount1", true)]
    [InlineData("http://localhost:51234/acct", "acct", true)] // an emulator on its own ports and account
    [InlineData("https://azurite.example.net/devstoreaccount1", "devstoreaccount1", true)]
    [InlineData("https://stconvertro.table.core.windows.net/", "stconvertro", false)]
    public void EmulatorTransactionGate_OnlyForTheEmulator(string endpoint, string account, bool gated)
    {
        Assert.Equal(gated, EmulatorTransactionGate.For(new Uri(endpoint), account) is not null);
    }

    [Fact]
    public void EmulatorTransactionGate_OneGatePerEndpoint()
    {
        var first = EmulatorTransactionGate.For(new Uri("http://127.0.0.1:10002/devstoreaccount1"), "devstoreaccount1");

        Assert.Same(first, EmulatorTransactionGate.For(new Uri("http://127.0.0.1:10002/devstoreaccount1/Events20261202"), "devstoreaccount1"));
        Assert.NotSame(first, EmulatorTransactionGate.For(new Uri("http://127.0.0.1:20002/devstoreaccount1"), "devstoreaccount1"));
    }
}
