using Azure.Storage.Queues;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.Core.Workspaces;
using ConvertroFunctions.Fakes;
using ConvertroFunctions.LocalHost.Azurite;
using Microsoft.Extensions.Configuration;

namespace ConvertroFunctions.Benchmarks;

/// <summary>What the benchmarks run against: Azurite (in memory) and a fake Convertro, on loopback.</summary>
internal sealed class Stack : IAsyncDisposable
{
    public const string WorkspaceId = "bench";
    /// <summary>The workspace's Convertro client name: the fake sorts requests by it.</summary>
    public const string ClientName = "bench-client";

    /// <summary>Azurite's in-memory data limit: ten seconds of batched ingest is about 300 MB.</summary>
    private const int MemoryLimit = 4096;

    private Stack(AzuriteProcess azurite, FakeConvertro convertro)
    {
        Azurite = azurite;
        Convertro = convertro;
        Queue = new QueueClient(azurite.ConnectionString, StorageNames.EventsQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
    }

    /// <summary>The benchmark workspace, as saved in every fresh storage (and as the raw drain maps with it).</summary>
    public static WorkspaceSettings Workspace { get; } = new()
    {
        WorkspaceId = WorkspaceId, Account = "acme", ClientName = ClientName, SiteId = "1234", Domain = "acme.convertro.com",
        HybridAttributionModel = true, SharedSecret = Events.Secret,
    };

    public AzuriteProcess Azurite { get; private set; }

    public FakeConvertro Convertro { get; }

    /// <summary>segment-events, as the app writes it (base64).</summary>
    public QueueClient Queue { get; }

    public static async Task<Stack> StartAsync()
    {
        var azurite = await AzuriteProcess.StartAsync(new AzuriteOptions { BlobPort = 0, QueuePort = 0, TablePort = 0, ExtentMemoryLimitMegabytes = MemoryLimit }, _ => { }, default);
        var stack = new Stack(azurite, await FakeConvertro.StartAsync());
        await stack.ResetStorageAsync();
        return stack;
    }

    /// <summary>
    /// A fresh, empty Azurite on the same ports (so running hosts keep working) holding only the
    /// benchmark workspace: each measurement starts from the same state. An in-memory Azurite
    /// holding hundreds of megabytes of earlier messages slows down, and clearing a large queue
    /// takes it minutes.
    /// </summary>
    public async Task ResetStorageAsync()
    {
        var ports = new AzuriteOptions
        {
            BlobPort = Azurite.BlobPort, QueuePort = Azurite.QueuePort, TablePort = Azurite.TablePort, ExtentMemoryLimitMegabytes = MemoryLimit,
        };
        // Killed, not stopped: its data is thrown away, and a graceful stop waits seconds for the SDK's open connections.
        Azurite.Kill();
        await Azurite.WaitForExitAsync(default);
        await Azurite.DisposeAsync();
        Azurite = await AzuriteProcess.StartAsync(ports, _ => { }, default);
        await Queue.CreateIfNotExistsAsync();
        // Written straight to the Workspaces table, so it exists before any host starts.
        var clients = StorageClients.ForConnectionString(Azurite.ConnectionString);
        await new WorkspaceStore(clients).SaveAsync(Workspace, default);
    }

    /// <summary>LocalHost in its own process, configured as in Azure except for where Convertro is.</summary>
    public Task<LocalHostProcess> StartLocalHostAsync(bool deliver, bool idempotency) => LocalHostProcess.StartAsync(LocalHostSettings(deliver, idempotency));

    /// <summary>LocalHost's settings: as in Azure except for where storage and Convertro are.</summary>
    public Dictionary<string, string?> LocalHostSettings(bool deliver, bool idempotency) => new()
    {
        ["AzureWebJobsStorage"] = Azurite.ConnectionString,
        ["Convertro:BaseUrl"] = Convertro.BaseUrl.ToString(),
        ["AzureWebJobs.DeliverFunction.Disabled"] = deliver ? "false" : "true",
        ["Ledger:Enabled"] = idempotency ? "true" : "false",
        ["Logging:LogLevel:Default"] = "Warning",
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        // For a CPU profile (Profiler): the runtime writes /tmp/perf-{pid}.map, which names JIT-compiled frames.
        ["DOTNET_PerfMapEnabled"] = Profiler.On ? "1" : null,
        // perf cannot name code in W^X's double-mapped memory (precompiled framework code stays unnamed until re-JIT-ted hot).
        ["DOTNET_EnableWriteXorExecute"] = Profiler.On ? "0" : null,
    };

    /// <summary>Waits until Convertro has received <paramref name="count"/> calls whose eid starts with "{prefix}-" (10 minutes at most).</summary>
    public async Task<List<RecordedRequest>> WaitForCallsAsync(string prefix, int count, Func<string> diagnostics)
    {
        List<RecordedRequest> Calls() =>
            [.. Convertro.RequestsFor(ClientName).Where(r => r.EventId?.StartsWith(prefix + "-", StringComparison.Ordinal) == true)];
        List<RecordedRequest> calls;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while ((calls = Calls()).Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Convertro received {calls.Count} of {count} calls in 10 minutes:\n{diagnostics()}");
            }
            await Task.Delay(100);
        }
        return calls;
    }

    public async ValueTask DisposeAsync()
    {
        await Convertro.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
