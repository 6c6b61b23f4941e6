using ConvertroFunctions.Core.Ledger;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost.Azurite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>The event ledger against a real Azurite, with a clock the test moves.</summary>
public sealed class EventLedgerTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 22, 0, 0, TimeSpan.Zero));
    private AzuriteProcess _azurite = null!;
    private StorageClients _clients = null!;
    private TableRequestCounter _counter = null!;
    private EventLedger _ledger = null!;

    public async Task InitializeAsync()
    {
        _azurite = await TestAzurite.StartAsync();
        _counter = new TableRequestCounter(_azurite.TablePort);
        _clients = StorageClients.ForConnectionString(_azurite.ConnectionString, _counter.AddTo);
        _ledger = NewLedger();
    }

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    [Theory]
    [InlineData(1)] // the default: a message's events share one partition
    [InlineData(8)]
    public async Task Claim_FiftyNewEvents_OneTransactionPerPartitionAndARepeatIsAlreadyDone(int partitions)
    {
        _ledger = NewLedger(partitions: partitions);
        var ids = Enumerable.Range(0, 50).Select(i => $"batch-{i}").ToList();
        await _ledger.TodayAsync(_time.GetUtcNow(), default); // the day's table exists already in steady state
        _counter.Reset();

        var claims = await ClaimAndDeliverAsync(ids);

        Assert.All(claims, c => Assert.Equal(ClaimKind.Owned, c.Kind));
        var used = ids.Select(id => LedgerKeys.PartitionFor("ws", id, partitions)).Distinct().Count();
        Assert.Equal(partitions, used);
        // One transaction per partition to claim, one to record the outcomes.
        Assert.Equal(2 * used, _counter.TableRequests);
        var repeat = await _ledger.Begin("ws").ClaimAsync([Request("batch-7")], default);
        Assert.Equal(ClaimKind.AlreadyDone, Assert.Single(repeat).Kind);
        Assert.Equal(EventState.Delivered, (await _ledger.LookupAsync("ws", "batch-7", default))!.State);
        Assert.Equal(["users"], (await _ledger.LookupAsync("ws", "batch-7", default))!.Calls.Select(c => c.Key));
    }

    [Fact]
    public async Task Flush_ProgressThenOutcome_OneRequestEachNoFallback()
    {
        await _ledger.TodayAsync(_time.GetUtcNow(), default);
        _counter.Reset();
        var session = _ledger.Begin("ws");
        var claim = Assert.Single(await session.ClaimAsync([Request("two-calls")], default));
        session.CallDelivered(claim, new CallRecord("events:sale.new", 200, _time.GetUtcNow()));
        await Eventually.TrueAsync(async () => (await _ledger.LookupAsync("ws", "two-calls", default))!.Calls.Count == 1);
        var afterProgress = _counter.TableRequests;
        session.CallDelivered(claim, new CallRecord("events:sale", 200, _time.GetUtcNow()));
        await session.CompleteAsync(claim, r => r with { State = EventState.Delivered }, now: false, default);
        await session.DisposeAsync();

        var record = await _ledger.LookupAsync("ws", "two-calls", default);
        Assert.Equal(EventState.Delivered, record!.State);
        // The claim, the progress, the outcome (a lone event's are plain requests, not transactions of one);
        // the lookups above were 1 or more reads.
        Assert.Equal(afterProgress + 1 + 1, _counter.TableRequests);
        Assert.Equal("Events: " + (afterProgress + 2), _counter.Breakdown);
    }

    [Fact]
    public async Task Claim_SameMessageIdInAnotherWorkspace_OwnedThere()
    {
        await ClaimAndDeliverAsync(["m-1"]);

        var other = await _ledger.Begin("ws-2").ClaimAsync([Request("m-1", "ws-2")], default);

        Assert.Equal(ClaimKind.Owned, Assert.Single(other).Kind);
    }

    [Fact]
    public async Task Claim_HeldByADeliveryThatCrashed_InFlightUntilTheLeaseEndsThenTakenOverWithWhatItDelivered()
    {
        var crashed = _ledger.Begin("ws");
        var held = Assert.Single(await crashed.ClaimAsync([Request("m-2")], default));
        crashed.CallDelivered(held, new CallRecord("events:sale", 200, _time.GetUtcNow()));
        await Eventually.TrueAsync(async () => (await _ledger.LookupAsync("ws", "m-2", default))!.Calls.Count == 1);
        await crashed.StopWritingAsync(); // the process dies: nothing more is written, nothing released

        var meanwhile = await _ledger.Begin("ws").ClaimAsync([Request("m-2")], default);
        _time.Advance(TimeSpan.FromSeconds(61));
        var after = await _ledger.Begin("ws").ClaimAsync([Request("m-2")], default);

        Assert.Equal(ClaimKind.InFlight, meanwhile[0].Kind);
        Assert.InRange(meanwhile[0].RetryAfter, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));
        Assert.Equal(ClaimKind.Owned, after[0].Kind);
        Assert.Equal(["events:sale"], after[0].Delivered.Select(c => c.Key));
    }

    [Fact]
    public async Task Dispose_EventNeverFinished_ReleasedSoTheNextCopyOwnsItAtOnce()
    {
        var stopping = _ledger.Begin("ws");
        var claim = Assert.Single(await stopping.ClaimAsync([Request("m-3")], default));
        stopping.CallDelivered(claim, new CallRecord("events:sale", 200, _time.GetUtcNow()));
        await stopping.DisposeAsync();

        var next = await _ledger.Begin("ws").ClaimAsync([Request("m-3")], default);

        Assert.Equal(ClaimKind.Owned, next[0].Kind);
        Assert.Equal(["events:sale"], next[0].Delivered.Select(c => c.Key));
    }

    [Fact]
    public async Task Claim_RetryingEvent_ACopyWithoutRetryStateIsADuplicateTheRetryOwnsIt()
    {
        var first = _ledger.Begin("ws");
        var claim = Assert.Single(await first.ClaimAsync([Request("m-4")], default));
        await first.CompleteAsync(claim, r => r with { State = EventState.Retrying, Attempts = 1 }, now: true, default);
        await first.DisposeAsync();

        var copy = await _ledger.Begin("ws").ClaimAsync([Request("m-4")], default);
        var retry = await _ledger.Begin("ws").ClaimAsync(
            [Request("m-4") with { Retry = new RetryState { Attempt = 1, LedgerTable = claim.TableName } }], default);

        Assert.Equal(ClaimKind.Duplicate, copy[0].Kind);
        Assert.Equal(ClaimKind.Owned, retry[0].Kind);
        Assert.Equal(1, retry[0].Current.Attempts);
    }

    [Fact]
    public async Task Claim_TodaysTableDeletedByHand_ThatMessageFailsTheNextRecreatesIt()
    {
        await ClaimAndDeliverAsync(["before"]);
        await _clients.Tables.DeleteTableAsync(LedgerKeys.TableName(_time.GetUtcNow()));

        var failed = await Assert.ThrowsAnyAsync<Azure.RequestFailedException>(() => _ledger.Begin("ws").ClaimAsync([Request("during")], default));
        var again = await _ledger.Begin("ws").ClaimAsync([Request("during")], default);

        Assert.True(StorageErrors.IsTableNotFound(failed), failed.Message);
        Assert.Equal(ClaimKind.Owned, Assert.Single(again).Kind);
    }

    [Fact]
    public async Task DeadLetterOfARetry_WorkspaceGoneMeanwhile_ReplacesTheRetryingRecord()
    {
        var first = _ledger.Begin("ws");
        var claim = Assert.Single(await first.ClaimAsync([Request("m-5")], default));
        await first.CompleteAsync(claim, r => r with { State = EventState.Retrying, Attempts = 1 }, now: true, default);
        await first.DisposeAsync();
        var retry = new RetryState { Attempt = 1, LedgerTable = claim.TableName };
        var deadLetter = Request("m-5") with { Retry = retry };
        deadLetter = deadLetter with
        {
            Record = deadLetter.Record with { State = EventState.DeadLettered, Reason = "workspace_unavailable", DeadLetterId = "dl-5", Attempts = 1 },
        };

        var recorded = Assert.Single(await _ledger.Begin("ws").ClaimAsync([deadLetter], default));
        var record = await _ledger.LookupAsync("ws", "m-5", default);
        var copy = Assert.Single(await _ledger.Begin("ws").ClaimAsync([Request("m-5")], default));

        Assert.Equal(ClaimKind.Recorded, recorded.Kind);
        Assert.Equal((EventState.DeadLettered, "dl-5"), (record!.State, record.DeadLetterId));
        Assert.Equal(ClaimKind.Owned, copy.Kind); // a dead-lettered event sent again by Segment is delivered
    }

    [Fact]
    public async Task Claim_RetryWhoseTableWasDropped_StartsANewRecordToday()
    {
        var retry = new RetryState { Attempt = 3, Delivered = ["events:sale"], LedgerTable = "Events20261101" }; // long gone

        var claims = await _ledger.Begin("ws").ClaimAsync([Request("late-retry") with { Retry = retry }], default);

        Assert.Equal(ClaimKind.Owned, claims[0].Kind);
        Assert.Equal(LedgerKeys.TableName(_time.GetUtcNow()), claims[0].TableName);
    }

    [Fact]
    public async Task Claim_RepeatAfterMidnight_FoundInYesterdaysTableAndOldTablesDropped()
    {
        var receivedBySegment = _time.GetUtcNow(); // 22:00
        await ClaimAndDeliverAsync(["m-5"]);
        var firstDay = LedgerKeys.TableName(_time.GetUtcNow());

        _time.Advance(TimeSpan.FromHours(4)); // 02:00 the next day: Segment sends the same event again
        var nextDay = await _ledger.Begin("ws").ClaimAsync([Request("m-5") with { StableTime = receivedBySegment }], default);
        _time.Advance(TimeSpan.FromDays(2)); // two days on, the first table is dropped
        var later = await NewLedger().Begin("ws").ClaimAsync([Request("m-5")], default);

        Assert.Equal(ClaimKind.AlreadyDone, nextDay[0].Kind);
        Assert.Equal(ClaimKind.Owned, later[0].Kind);
        var tables = new List<string>();
        await foreach (var t in _clients.Tables.QueryAsync(filter: (string?)null))
        {
            tables.Add(t.Name);
        }
        Assert.DoesNotContain(firstDay, tables);
        Assert.Contains(LedgerKeys.TableName(_time.GetUtcNow()), tables);
    }

    [Fact]
    public async Task Claim_SegmentReceivedItToday_NoReadOfYesterdaysTable()
    {
        _time.Advance(TimeSpan.FromHours(4)); // 02:00
        await _ledger.TodayAsync(_time.GetUtcNow(), default);
        _counter.Reset();

        var claims = await _ledger.Begin("ws").ClaimAsync([Request("m-6") with { StableTime = _time.GetUtcNow().AddMinutes(-1) }], default);
        var unknown = await _ledger.Begin("ws").ClaimAsync([Request("m-7") with { StableTime = null }], default);

        Assert.Equal(ClaimKind.Owned, claims[0].Kind);
        Assert.Equal(ClaimKind.Owned, unknown[0].Kind);
        Assert.Equal(1 + 2, _counter.TableRequests); // m-6: the insert; m-7: yesterday's read, then the insert
    }

    [Theory]
    [InlineData("a/b#c?d\\e")]
    [InlineData("tab\there")]
    [InlineData("ünïcödé-id")]
    public async Task Claim_MessageIdWithCharactersARowKeyForbids_StillRecorded(string messageId)
    {
        await ClaimAndDeliverAsync([messageId]);

        var repeat = await _ledger.Begin("ws").ClaimAsync([Request(messageId)], default);

        Assert.Equal(ClaimKind.AlreadyDone, repeat[0].Kind);
        Assert.Equal(messageId, (await _ledger.LookupAsync("ws", messageId, default))!.MessageId);
    }

    [Fact]
    public async Task Claim_Disabled_NothingRecordedEveryCopyOwnsIt()
    {
        var ledger = NewLedger(enabled: false);
        _counter.Reset();

        var first = await ledger.Begin("ws").ClaimAsync([Request("m-8")], default);
        var repeat = await ledger.Begin("ws").ClaimAsync([Request("m-8")], default);

        Assert.Equal(ClaimKind.Owned, repeat[0].Kind);
        Assert.Equal(0, _counter.TableRequests);
    }

    private async Task<IReadOnlyList<EventClaim>> ClaimAndDeliverAsync(IReadOnlyList<string> ids)
    {
        await using var session = _ledger.Begin("ws");
        var claims = await session.ClaimAsync([.. ids.Select(id => Request(id))], default);
        foreach (var claim in claims)
        {
            session.CallDelivered(claim, new CallRecord("users", 200, _time.GetUtcNow()));
            await session.CompleteAsync(claim, r => r with { State = EventState.Delivered }, now: false, default);
        }
        return claims;
    }

    /// <summary>An event Segment received just now (so no earlier copy can be in yesterday's table).</summary>
    private ClaimRequest Request(string messageId, string workspaceId = "ws") => new(new EventRecord
    {
        WorkspaceId = workspaceId, MessageId = messageId, State = EventState.Delivering, ReceivedAt = _time.GetUtcNow(),
    }, _time.GetUtcNow(), null);

    private EventLedger NewLedger(bool enabled = true, int partitions = 1) => new(_clients, _time,
        Options.Create(new LedgerOptions { Enabled = enabled, LeaseSeconds = 60, Partitions = partitions }), NullLogger<EventLedger>.Instance);
}
