using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.Core.Workspaces;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost.Azurite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>The settings cache in front of the Workspaces table (a real Azurite), with a clock the test moves.</summary>
public sealed class WorkspaceCacheTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private AzuriteProcess _azurite = null!;
    private CountingStore _store = null!;
    private WorkspaceCache _cache = null!;

    public async Task InitializeAsync()
    {
        _azurite = await TestAzurite.StartAsync();
        _store = new CountingStore(StorageClients.ForConnectionString(_azurite.ConnectionString));
        _cache = new WorkspaceCache(_store, _time, Options.Create(new WorkspaceOptions { CacheSeconds = 30 }));
        await _store.SaveAsync(Settings("acct-1"), default);
    }

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    [Fact]
    public async Task GetAsync_ChangedInStorage_SeenOnceTheCacheTimeHasPassed()
    {
        await _cache.GetAsync("ws", default);
        await _store.SaveAsync(Settings("acct-2"), default);

        var cached = await _cache.GetAsync("ws", default);
        _time.Advance(TimeSpan.FromSeconds(31));
        var refreshed = await _cache.GetAsync("ws", default);

        Assert.Equal("acct-1", cached!.Account);
        Assert.Equal("acct-2", refreshed!.Account);
    }

    [Fact]
    public async Task GetAsync_ExpiredWhileManyAsk_OneReadAndTheOthersAnsweredFromTheCopyAtOnce()
    {
        await _cache.GetAsync("ws", default);
        _time.Advance(TimeSpan.FromSeconds(31));
        _store.Gate = new TaskCompletionSource();

        var refresher = _cache.GetAsync("ws", default).AsTask();
        var others = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => _cache.GetAsync("ws", default).AsTask()))
            .WaitAsync(TimeSpan.FromSeconds(5));
        _store.Gate.SetResult();
        await refresher;

        Assert.All(others, s => Assert.Equal("acct-1", s!.Account));
        Assert.Equal(2, _store.Reads); // the first read, and one refresh for 51 callers
    }

    private static WorkspaceSettings Settings(string account) => new()
    {
        WorkspaceId = "ws", Account = account, ClientName = "c", SiteId = "s", Domain = "acme.convertro.com",
    };

    /// <summary>Counts table reads, and can hold one until the test lets it go.</summary>
    private sealed class CountingStore(StorageClients clients) : WorkspaceStore(clients)
    {
        private int _reads;

        public int Reads => _reads;

        public TaskCompletionSource? Gate { get; set; }

        public override async Task<WorkspaceSettings?> GetAsync(string workspaceId, CancellationToken ct)
        {
            Interlocked.Increment(ref _reads);
            if (Gate is { } gate)
            {
                await gate.Task;
            }
            return await base.GetAsync(workspaceId, ct);
        }
    }
}
