using Azure.Core;
using Azure.Core.Pipeline;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost.Azurite;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// A dead letter written for a user while a Segment delete purges that user's dead letters
/// (docs/operations.md, "Personal data"): whichever way the two interleave, no letter of the user
/// is left behind without the index row a purge finds it by.
/// </summary>
public sealed class DeadLetterPurgeRaceTests : IAsyncLifetime
{
    private readonly HoldLetterWrites _hold = new();
    private AzuriteProcess _azurite = null!;
    private DeadLetterStore _store = null!;

    public async Task InitializeAsync()
    {
        _azurite = await TestAzurite.StartAsync();
        _store = new DeadLetterStore(StorageClients.ForConnectionString(_azurite.ConnectionString, o => o.AddPolicy(_hold, HttpPipelinePosition.PerCall)));
    }

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    [Fact]
    public async Task Purge_WhileALetterOfTheUserIsBeingWritten_TheLetterDoesNotEscape()
    {
        var now = DateTimeOffset.UtcNow;
        var letter = new DeadLetter
        {
            Id = DeadLetter.NewId(now), WorkspaceId = "ws", MessageId = "m-1", ReasonCode = ReasonCodes.ConvertroRejected, Reason = "400",
            FirstFailureAt = now, LastFailureAt = now, ReceivedAt = now, Event = "{}"u8.ToArray(), UserKey = "userkey1",
        };
        _hold.Arm();
        var writing = _store.AddAsync(letter, default); // stops before the letter itself is written

        await _hold.Held.WaitAsync(TimeSpan.FromSeconds(30));
        await _store.PurgeUserAsync("ws", "userkey1", default);
        _hold.Release();
        await writing;
        await _store.PurgeUserAsync("ws", "userkey1", default); // a later deletion of the same user

        Assert.Null(await _store.GetAsync("ws", letter.Id, default));
    }

    [Fact]
    public async Task Add_TheDeletionsOwnLetterRightAfterItsPurge_Stays_WhileAnotherLetterOfTheUserGoes()
    {
        var now = DateTimeOffset.UtcNow;
        DeadLetter Letter(string messageId, string type) => new()
        {
            Id = DeadLetter.NewId(now), WorkspaceId = "ws", MessageId = messageId, EventType = type, ReasonCode = ReasonCodes.ConvertroRejected,
            Reason = "302", FirstFailureAt = now, LastFailureAt = now, ReceivedAt = now, Event = "{}"u8.ToArray(), UserKey = "userkey2",
        };
        var started = Letter("t-1", "track");
        var erase = Letter("del-1", "delete");

        // The track letter's writer started before the purge and finished after it; the erase failed after the purge.
        _hold.Arm();
        var writing = _store.AddAsync(started, default);
        await _hold.Held.WaitAsync(TimeSpan.FromSeconds(30));
        await _store.PurgeUserAsync("ws", "userkey2", default);
        _hold.Release();
        await writing;
        await _store.AddAsync(erase, default);

        Assert.Null(await _store.GetAsync("ws", started.Id, default));
        Assert.Equal("del-1", (await _store.GetAsync("ws", erase.Id, default))?.MessageId);
    }

    /// <summary>Holds the first write to the DeadLetters table until released.</summary>
    private sealed class HoldLetterWrites : HttpPipelinePolicy
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly SemaphoreSlim _held = new(0);
        private int _armed;

        public SemaphoreSlim Held => _held;

        public void Arm() => _armed = 1;

        public void Release() => _release.TrySetResult();

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Method != RequestMethod.Get && message.Request.Uri.Path.Contains($"/{StorageNames.DeadLettersTable}(", StringComparison.Ordinal)
                && Interlocked.Exchange(ref _armed, 0) == 1)
            {
                _held.Release();
                await _release.Task;
            }
            await ProcessNextAsync(message, pipeline);
        }
    }
}
