using ConvertroFunctions.Core.Ledger;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost.Azurite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// The owner rule against a real Azurite (docs/architecture.md, "The event ledger"): one owner per
/// event, every write after the claim checked against it, whatever path the copy came by.
/// Scenarios 1-5 of the ledger's line-by-line reading (each failed on the ledger before the owner
/// rule); the same cases, as values, are in tests/ConvertroFunctions.Core.Tests/ClaimRulesTests.cs.
/// </summary>
public sealed class LedgerOwnerTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 23, 58, 0, TimeSpan.Zero));
    private AzuriteProcess _azurite = null!;
    private StorageClients _clients = null!;
    private EventLedger _ledger = null!;

    public async Task InitializeAsync()
    {
        _azurite = await TestAzurite.StartAsync();
        _clients = StorageClients.ForConnectionString(_azurite.ConnectionString);
        _ledger = new EventLedger(_clients, _time, Options.Create(new LedgerOptions { LeaseSeconds = 60 }), NullLogger<EventLedger>.Instance);
    }

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    [Fact]
    public async Task Replay_OfADeliveredEvent_QueuesNothingAndLeavesItDelivered()
    {
        await DeliverAsync("s1");
        var queued = new List<string>();

        var result = await ReplayAsync("s1", queued);

        Assert.Equal(ReplayResult.AlreadyDelivered, result);
        Assert.Empty(queued);
        Assert.Equal(EventState.Delivered, (await LookupAsync("s1"))!.State);
    }

    [Fact]
    public async Task Replay_WhileAnotherCopyDelivers_QueuesNothingAndTheLiveCopyKeepsIt()
    {
        var live = _ledger.Begin("ws");
        Assert.Equal(ClaimKind.Owned, Assert.Single(await live.ClaimAsync([Request("s1b", "live")], default)).Kind);
        var queued = new List<string>();

        var result = await ReplayAsync("s1b", queued);

        Assert.Equal(ReplayResult.AlreadyQueued, result);
        Assert.Empty(queued);
        Assert.Equal(("live", EventState.Delivering), ((await LookupAsync("s1b"))!.Owner, (await LookupAsync("s1b"))!.State));
        await live.DisposeAsync();
    }

    [Fact]
    public async Task Replay_OfADeadLetteredEvent_QueuesOneCopyWhichAloneOwnsIt()
    {
        var session = _ledger.Begin("ws");
        var claim = Assert.Single(await session.ClaimAsync([Request("s1c", "first")], default));
        session.CallDelivered(claim, new CallRecord("events:sale.new", 200, _time.GetUtcNow()));
        await session.CompleteAsync(claim, r => r with { State = EventState.DeadLettered }, awaitWrite: true, default);
        await session.DisposeAsync();
        var queued = new List<string>();

        var first = await ReplayAsync("s1c", queued);
        var second = await ReplayAsync("s1c", queued);
        var resent = Assert.Single(await ClaimAsync(Request("s1c", "segment-resend")));
        var replayed = Assert.Single(await ClaimAsync(Request("s1c", queued[0])));

        Assert.Equal((ReplayResult.Queued, ReplayResult.AlreadyQueued), (first, second));
        Assert.Single(queued);
        Assert.Equal(ClaimKind.Duplicate, resent.Kind);
        Assert.Equal(ClaimKind.Owned, replayed.Kind);
        Assert.Equal(["events:sale.new"], replayed.Delivered.Select(c => c.Key));
    }

    [Fact]
    public async Task Claim_AcrossMidnight_ACopyAndARetryOfOneEventNeverBothOwnIt()
    {
        var receivedBySegment = _time.GetUtcNow().AddMinutes(-8); // 23:50
        var crashed = _ledger.Begin("ws");
        Assert.Single(await crashed.ClaimAsync([Request("s3", "crashed", receivedAt: receivedBySegment)], default));
        await crashed.StopWritingAsync(); // the process dies at 23:58

        _time.Advance(TimeSpan.FromMinutes(3)); // 00:01 the next day, the lease has run out
        var resent = Assert.Single(await ClaimAsync(Request("s3", "resent", receivedAt: receivedBySegment)));
        var retry = Assert.Single(await ClaimAsync(Request("s3", "retry", retryAttempt: 1, receivedAt: receivedBySegment)));

        Assert.Equal(ClaimKind.Owned, resent.Kind);
        Assert.Equal(ClaimKind.InFlight, retry.Kind);
        Assert.Equal(LedgerKeys.TableName(receivedBySegment), resent.TableName);
    }

    [Fact]
    public async Task Owner_WhoseLeaseLapsedAndWasTakenOver_StopsAndNeverWritesOverTheNewOwner()
    {
        var slow = _ledger.Begin("ws");
        var held = Assert.Single(await slow.ClaimAsync([Request("s4", "slow")], default));
        _time.Advance(TimeSpan.FromSeconds(61)); // storage was slow: the lease lapsed
        var taker = _ledger.Begin("ws");
        var taken = Assert.Single(await taker.ClaimAsync([Request("s4", "taker")], default));
        _time.Advance(TimeSpan.FromSeconds(1));
        await Task.Delay(700); // the slow owner's background flush runs
        slow.CallDelivered(held, new CallRecord("users", 200, _time.GetUtcNow()));

        var stillHeld = await slow.CheckLeaseAsync(held, default);
        var outcome = await slow.CompleteAsync(held, r => r with { State = EventState.Delivered }, awaitWrite: true, default);
        await slow.DisposeAsync();

        Assert.Equal(ClaimKind.Owned, taken.Kind);
        Assert.Equal(LeaseCheck.Lost, stillHeld);
        Assert.Equal(WriteResult.Lost, outcome);
        var stored = await LookupAsync("s4");
        Assert.Equal(("taker", EventState.Delivering, 0), (stored!.Owner, stored.State, stored.Calls.Count));
        await taker.DisposeAsync();
    }

    [Fact]
    public async Task StaleRetryOrWait_RedeliveredAfterItQueuedItsSuccessor_SendsNothingTheSuccessorOwnsIt()
    {
        var attempt = _ledger.Begin("ws");
        var claim = Assert.Single(await attempt.ClaimAsync([Request("s5", "retry-1", retryAttempt: 1)], default));
        // Attempt 2 failed: its successor, the copy "retry-2", is queued, and the record names it.
        await attempt.CompleteAsync(claim, r => r with { State = EventState.Retrying, Attempts = 2, Owner = "retry-2" }, awaitWrite: true, default);
        await attempt.DisposeAsync();

        var stale = Assert.Single(await ClaimAsync(Request("s5", "retry-1", retryAttempt: 1)));
        var earlier = Assert.Single(await ClaimAsync(Request("s5", "ingest"))); // the first copy, redelivered
        var successor = Assert.Single(await ClaimAsync(Request("s5", "retry-2", retryAttempt: 2)));

        Assert.Equal((ClaimKind.Duplicate, ClaimKind.Duplicate, ClaimKind.Owned), (stale.Kind, earlier.Kind, successor.Kind));
        Assert.Equal(2, successor.Record.Attempts);
    }

    [Fact]
    public async Task Record_WithHundredsOfDeliveredCalls_IsWrittenAndItsNeighbourToo()
    {
        var session = _ledger.Begin("ws");
        var claims = await session.ClaimAsync([Request("s7-big", "c"), Request("s7-small", "c")], default);
        foreach (var i in Enumerable.Range(0, 800))
        {
            session.CallDelivered(claims[0], new CallRecord($"erase:{i:D12}", 200, _time.GetUtcNow()));
        }
        session.CallDelivered(claims[1], new CallRecord("users", 200, _time.GetUtcNow()));
        foreach (var claim in claims)
        {
            await session.CompleteAsync(claim, r => r with { State = EventState.Delivered }, awaitWrite: false, default);
        }
        var unwritten = await session.CloseAsync(claims);

        Assert.Empty(unwritten);
        var big = await LookupAsync("s7-big");
        var small = await LookupAsync("s7-small");
        Assert.Equal((EventState.Delivered, 800), (big!.State, big.Calls.Count));
        Assert.Equal(EventState.Delivered, small!.State);
    }

    private async Task DeliverAsync(string messageId)
    {
        await using var session = _ledger.Begin("ws");
        var claim = Assert.Single(await session.ClaimAsync([Request(messageId, "c")], default));
        session.CallDelivered(claim, new CallRecord("users", 200, _time.GetUtcNow()));
        await session.CompleteAsync(claim, r => r with { State = EventState.Delivered }, awaitWrite: true, default);
    }

    private Task<ReplayResult> ReplayAsync(string messageId, List<string> queued) =>
        _ledger.ReplayAsync("ws", messageId, Day(null), [], (copyId, _) => { queued.Add(copyId); return Task.CompletedTask; }, default);

    private Task<EventRecord?> LookupAsync(string messageId) => _ledger.LookupAsync("ws", messageId, default);

    /// <summary>Claims as a copy whose process then dies: nothing more is written for it.</summary>
    private async Task<IReadOnlyList<EventClaim>> ClaimAsync(ClaimRequest request)
    {
        var session = _ledger.Begin("ws");
        var claims = await session.ClaimAsync([request], default);
        await session.StopWritingAsync();
        return claims;
    }

    private DateOnly Day(DateTimeOffset? receivedAt) => LedgerKeys.DayFor(receivedAt ?? _time.GetUtcNow(), _time.GetUtcNow());

    private ClaimRequest Request(string messageId, string copyId, int? retryAttempt = null, DateTimeOffset? receivedAt = null) => new(new EventRecord
    {
        WorkspaceId = "ws", MessageId = messageId, State = EventState.Delivering, Attempts = retryAttempt ?? 0, ReceivedAt = _time.GetUtcNow(),
    }, Day(receivedAt), new ClaimCopy(copyId, retryAttempt));
}
