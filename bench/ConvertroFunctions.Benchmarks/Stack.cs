using System.Net.Http.Json;
using Azure.Storage.Queues;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.Fakes;
using ConvertroFunctions.LocalHost.Azurite;

namespace ConvertroFunctions.Benchmarks;

/// <summary>What the benchmarks run against: Azurite (in memory) and a fake Convertro, on loopback.</summary>
internal sealed class Stack : IAsyncDisposable
{
    public const string WorkspaceId = "bench";
    public const string Account = "bench-account";

    private Stack(AzuriteProcess azurite, FakeConvertro convertro)
    {
        Azurite = azurite;
        Convertro = convertro;
        Queue = new QueueClient(azurite.ConnectionString, StorageNames.EventsQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
    }

    public AzuriteProcess Azurite { get; }

    public FakeConvertro Convertro { get; }

    /// <summary>segment-events, as the app writes it (base64).</summary>
    public QueueClient Queue { get; }

    public static async Task<Stack> StartAsync()
    {
        var azurite = await AzuriteProcess.StartAsync(new AzuriteOptions { BlobPort = 0, QueuePort = 0, TablePort = 0 }, _ => { }, default);
        var stack = new Stack(azurite, await FakeConvertro.StartAsync());
        await stack.Queue.CreateIfNotExistsAsync();
        return stack;
    }

    /// <summary>LocalHost in its own process, configured as in Azure except for where Convertro is.</summary>
    public Task<LocalHostProcess> StartLocalHostAsync(bool deliver, bool idempotency) => LocalHostProcess.StartAsync(new Dictionary<string, string?>
    {
        ["AzureWebJobsStorage"] = Azurite.ConnectionString,
        ["Convertro:BaseUrl"] = Convertro.BaseUrl.ToString(),
        ["AzureWebJobs.DeliverFunction.Disabled"] = deliver ? "false" : "true",
        ["Idempotency:Enabled"] = idempotency ? "true" : "false",
        ["Logging:LogLevel:Default"] = "Warning",
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
    });

    public static async Task CreateWorkspaceAsync(HttpClient client)
    {
        var response = await client.PutAsJsonAsync($"/api/workspaces/{WorkspaceId}", new
        {
            account = Account, clientName = "Acme", siteId = "1234", domain = "acme.convertro.com",
            hybridAttributionModel = true, sharedSecret = Events.Secret,
        });
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        await Convertro.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
