using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ConvertroFunctions.LocalHost;
using ConvertroFunctions.LocalHost.Azurite;

namespace ConvertroFunctions.IntegrationTests.Infrastructure;

/// <summary>
/// A whole pipeline for one test class: its own Azurite (in memory, free loopback ports, so every
/// run has a fresh account), a fake Convertro, and LocalHost wired to both with short retry delays.
/// </summary>
public class PipelineFixture : IAsyncLifetime
{
    public AzuriteProcess Azurite { get; private set; } = null!;

    public FakeConvertro Convertro { get; private set; } = null!;

    public LocalHostInstance Host { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>Settings a test class adds to (or changes in) the defaults.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    public virtual async Task InitializeAsync()
    {
        Azurite = await StartAzuriteAsync();
        Convertro = await FakeConvertro.StartAsync();
        var settings = DefaultSettings(Azurite.ConnectionString, Convertro.BaseUrl);
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }
        Host = await LocalHostApp.StartAsync(["--urls", "http://127.0.0.1:0"], settings, configure: ConfigureHost);
        Client = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Changes a test class makes to LocalHost's builder (e.g. a log capture).</summary>
    protected virtual void ConfigureHost(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder)
    {
    }

    /// <summary>In memory on free ports unless a test class needs Azurite's data to outlive a restart.</summary>
    protected virtual Task<AzuriteProcess> StartAzuriteAsync() => TestAzurite.StartAsync();

    protected void SetAzurite(AzuriteProcess azurite) => Azurite = azurite;

    public virtual async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
        if (Convertro is not null)
        {
            await Convertro.DisposeAsync();
        }
        if (Azurite is not null)
        {
            await Azurite.DisposeAsync();
        }
    }

    public static Dictionary<string, string?> DefaultSettings(string storage, Uri convertro) =>
        new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage,
            ["Convertro:BaseUrl"] = convertro.ToString(),
            ["Convertro:TimeoutSeconds"] = "2",
            ["Convertro:InProcessRetries"] = "0",
            ["Delivery:RetryDelays"] = "00:00:00.200,00:00:00.200",
            ["Idempotency:LeaseSeconds"] = "5",
            ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.200",
            ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:00",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:ConvertroFunctions"] = "Warning",
        };

    /// <summary>Stops the fake Convertro: calls to it are refused until <see cref="StartConvertroAgainAsync"/>.</summary>
    public async Task<Uri> StopConvertroAsync()
    {
        var url = Convertro.BaseUrl;
        await Convertro.DisposeAsync();
        return url;
    }

    /// <summary>Starts a fresh fake Convertro where the stopped one listened.</summary>
    public async Task StartConvertroAgainAsync(Uri url) => Convertro = await FakeConvertro.StartAsync(url.ToString());

    /// <summary>A workspace's dead letters through the admin API, newest first.</summary>
    public Task<List<JsonElement>> DeadLettersAsync(string workspaceId) => Admin.DeadLettersAsync(Client, workspaceId);

    /// <summary>Waits until the workspace has at least <paramref name="count"/> dead letters.</summary>
    public async Task<List<JsonElement>> WaitForDeadLettersAsync(string workspaceId, int count)
    {
        List<JsonElement> letters = [];
        await Eventually.TrueAsync(async () => (letters = await DeadLettersAsync(workspaceId)).Count >= count,
            message: () => $"{letters.Count} dead letter(s), expected {count}");
        return letters;
    }

    /// <summary>Creates a workspace with a unique id and Convertro client name (the fake sorts requests by client name).</summary>
    public Task<TestWorkspace> NewWorkspaceAsync(
        string? sharedSecret = null, bool hybrid = false, Dictionary<string, string>? events = null, string? clientName = null) =>
        Admin.NewWorkspaceAsync(Client, sharedSecret, hybrid, events, clientName);
}

/// <summary>A workspace created for one test, with its own Convertro client name (in every request's path).</summary>
public sealed record TestWorkspace(string Id, string ClientName)
{
    public const string Account = "acme";
    public const string SiteId = "1234";
}
