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
        await _ledger.TableAsync(Today, default); // the day's table exists already in steady state
        _counter.Reset();

        var claims = await ClaimAndDeliverAsync(ids);

        Assert.All(claims, c => Assert.Equal(ClaimKind.Owned, c.Kind));
        var used = ids.Select(id => LedgerKeys.PartitionFor("ws", id, partitions)).Distinct().Count();
        Assert.Equal(partitions, used);
        // One transaction per partition to claim, one to record the outcomes.
        Assert.Equal(2 * used, _counter.TableRequests);
        var repeat = await _ledger.Begin("ws").ClaimAsync([Request("batch-7")], default);
        Assert.Equal(ClaimKind.AlreadyDone, Assert.Single(repeat).Kind);
        Assert.Equal(EventState.Delivered, (await _ledger.LookupAsync("ws", "batch-7", Today, default))!.State);
        Assert.Equal(["users"], (await _ledger.LookupAsync("ws", "batch-7", Today, default))!.Calls.Select(c => c.Key));
    }

    [Fact]
    public async Task Flush_ProgressThenOutcome_OneRequestEachNoFallback()
    {
        await _ledger.TableAsync(Today, default);
        _counter.Reset();
        var session = _ledger.Begin("ws");
        var claim = Assert.Single(await session.ClaimAsync([Request("two-calls")], default));
        session.CallDelivered(claim, new CallRecord("events:sale.new", 200, _time.GetUtcNow()));
        await Eventually.TrueAsync(async () => (await _ledger.LookupAsync("ws", "two-calls", Today, default))!.Calls.Count == 1);
        var afterProgress = _counter.TableRequests;
        session.CallDelivered(claim, new CallRecord("events:sale", 200, _time.GetUtcNow()));
        await session.CompleteAsync(claim, r => r with { State = EventState.Delivered }, awaitWrite: false, default);
        await session.DisposeAsync();

        var record = await _ledger.LookupAsync("ws", "two-calls", Today, default);
        Assert.Equal(EventState.Delivered, record!.State);
        // The claim, the progress, the outcome (a lone event's are plain requests, not transactions of one);
        // the lookups above were 1 or more reads.
        Assert.Equal(afterProgress + 1 + 1, _counter.TableRequests);
        Assert.Equal("Events: " + (afterProgress + 2), _counter.Breakdown);
    }

    /// <summary>
    /// Four messages in flight at once, each with two calls delivered since the last tick: the
    /// process's one flush writes all eight changes in one transaction (a tick landing between the
    /// changes makes it two); one flush per message wrote four.
    /// </summary>
    [Fact]
    public async Task Flush_SeveralMessagesInFlight_ShareOneTransactionPerTick()
    {
        await _ledger.TableAsync(Today, default);
        var sessions = Enumerable.Range(0, 4).Select(_ => _ledger.Begin("ws")).ToList();
        var claims = new List<(LedgerSession Session, EventClaim Claim)>();
        for (var m = 0; m < sessions.Count; m++)
        {
            claims.AddRange((await sessions[m].ClaimAsync([Request($"shared-{m}-a"), Request($"shared-{m}-b")], default)).Select(c => (sessions[m], c)));
        }
        _counter.Reset();

        foreach (var (session, claim) in claims)
        {
            session.CallDelivered(claim, new CallRecord("users", 200, _time.GetUtcNow()));
        }

        await Eventually.TrueAsync(async () =>
        {
            foreach (var (_, claim) in claims)
            {
                if ((await _ledger.LookupAsync("ws", claim.Record.MessageId, Today, default))!.Calls.Count != 1)
                {
                    return false;
                }
            }
            return true;
        });
        Assert.InRange(_counter.RequestsTo("$batch"), 1, 2);
        foreach (var session in sessions)
        {
            await session.DisposeAsync();
        }
    }

    /// <summary>
    /// Writes 2 to 4 of this session went out unconfirmed (storage failed in the middle of batches) and
    /// write 3 was applied, so the session still holds the claim's ETag: its next write (5) finds the
    /// record changed (412), yet the record was last written by this very session, under a counter it
    /// sent and never saw confirmed. The event stays its own and the change is sent again at once
    /// under the stored ETag; nobody else wrote, so nothing is lost to anyone.
    /// </summary>
    [Fact]
    public async Task Write_AfterAnEarlierWriteOfTheSameSessionWhoseAnswerWasLost_StillOwnedAndWritten()
    {
        var session = _ledger.Begin("ws");
        var claim = Assert.Single(await session.ClaimAsync([Request("lost-answer")], default));
        claim.Tracked!.Seq = 4;
        // The session's write number 3, applied, its answer lost: the stored ETag moves on.
        var outcome = await DeliverAfterStoredEditAsync(session, claim, stored => stored["Seq"] = 3);

        Assert.Equal(WriteResult.Written, outcome);
        var record = await _ledger.LookupAsync("ws", "lost-answer", Today, default);
        Assert.Equal((EventState.Delivered, 1), (record!.State, record.Calls.Count));
    }

    /// <summary>
    /// A session's own write (here a retry's outcome, written at once) carries every change pending in
    /// it, not only the record it was made for: a session kept busy with its own writes may miss the
    /// shared flush's ticks, and its delivered calls must not wait for them.
    /// </summary>
    [Fact]
    public async Task Write_OwnWriteOfOneEvent_CarriesTheCallsDeliveredForTheOthers()
    {
        var session = _ledger.Begin("ws");
        var claims = await session.ClaimAsync([Request("carried-a"), Request("carried-b")], default);
        session.CallDelivered(claims[0], new CallRecord("users", 200, _time.GetUtcNow()));

        await session.CompleteAsync(claims[1], r => r with { State = EventState.Retrying, Attempts = 1 }, awaitWrite: true, default);
        var carried = await _ledger.LookupAsync("ws", "carried-a", Today, default);
        await session.DisposeAsync();

        Assert.Equal(["users"], carried!.Calls.Select(c => c.Key));
        Assert.Equal(EventState.Retrying, (await _ledger.LookupAsync("ws", "carried-b", Today, default))!.State);
    }

    /// <summary>
    /// The stored record names this session's run but a write counter it never sent (an operator's edit
    /// that kept the properties, a tool): not a lost answer of this session, so the event is lost to
    /// whoever wrote it, and this session writes nothing over it.
    /// </summary>
    [Fact]
    public async Task Write_RecordChangedUnderACounterThisSessionNeverSent_LostAndNotWrittenOver()
    {
        var session = _ledger.Begin("ws");
        var claim = Assert.Single(await session.ClaimAsync([Request("edited")], default));
        var outcome = await DeliverAfterStoredEditAsync(session, claim, stored =>
        {
            stored["Seq"] = 9;
            stored["Reason"] = "edited by hand";
        });

        Assert.Equal(WriteResult.Lost, outcome);
        var record = await _ledger.LookupAsync("ws", "edited", Today, default);
        Assert.Equal((EventState.Delivering, "edited by hand", 0), (record!.State, record.Reason, record.Calls.Count));
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
        await Eventually.TrueAsync(async () => (await _ledger.LookupAsync("ws", "m-2", Today, default))!.Calls.Count == 1);
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
    public async Task Claim_RetryingEvent_AnyOtherCopyIsADuplicateTheQueuedRetryOwnsIt()
    {
        var first = _ledger.Begin("ws");
        var claim = Assert.Single(await first.ClaimAsync([Request("m-4")], default));
        await first.CompleteAsync(claim, r => r with { State = EventState.Retrying, Attempts = 1, Owner = "retry-1" }, awaitWrite: true, default);
        await first.DisposeAsync();

        var copy = await _ledger.Begin("ws").ClaimAsync([Request("m-4")], default);
        var retry = await _ledger.Begin("ws").ClaimAsync([Request("m-4", copyId: "retry-1", retryAttempt: 1)], default);

        Assert.Equal(ClaimKind.Duplicate, copy[0].Kind);
        Assert.Equal(ClaimKind.Owned, retry[0].Kind);
        Assert.Equal(1, retry[0].Record.Attempts);
    }

    [Fact]
    public async Task Claim_TableDeletedByHand_CreatedAgainAndTheEventClaimed()
    {
        await ClaimAndDeliverAsync(["before"]);
        await _clients.Tables.DeleteTableAsync(LedgerKeys.TableName(Today));

        var again = await _ledger.Begin("ws").ClaimAsync([Request("during")], default);

        Assert.Equal(ClaimKind.Owned, Assert.Single(again).Kind);
    }

    [Fact]
    public async Task Claim_DeadLetteredEventSentAgain_OwnedWithTheSameLetterId()
    {
        var first = _ledger.Begin("ws");
        var claim = Assert.Single(await first.ClaimAsync([Request("m-5")], default));
        await first.CompleteAsync(claim, r => r with { State = EventState.DeadLettered, Reason = "convertro_rejected" }, awaitWrite: true, default);
        await first.DisposeAsync();

        var resent = Assert.Single(await _ledger.Begin("ws").ClaimAsync([Request("m-5")], default));

        Assert.Equal(ClaimKind.Owned, resent.Kind);
        Assert.True(resent.TookOver);
        Assert.Equal(claim.Record.DeadLetterId, resent.Record.DeadLetterId);
        Assert.NotNull(resent.Record.DeadLetterId);
    }

    [Fact]
    public async Task Claim_RetryWhoseRecordIsGone_OwnsItWithTheCallsItCarries()
    {
        var retry = Request("late-retry", copyId: "retry-3", retryAttempt: 3);
        retry = retry with { Record = retry.Record with { Calls = [new CallRecord("events:sale", 0, _time.GetUtcNow())] } };

        var claims = await _ledger.Begin("ws").ClaimAsync([retry], default);

        Assert.Equal(ClaimKind.Owned, claims[0].Kind);
        Assert.Equal(["events:sale"], claims[0].Delivered.Select(c => c.Key));
    }

    [Fact]
    public async Task Claim_RepeatAfterMidnight_FoundInTheTableOfTheDaySegmentReceivedIt()
    {
        var receivedBySegment = _time.GetUtcNow(); // 22:00
        await ClaimAndDeliverAsync(["m-6"]);

        _time.Advance(TimeSpan.FromHours(4)); // 02:00 the next day: Segment sends the same event again
        var nextDay = await _ledger.Begin("ws").ClaimAsync([Request("m-6", receivedAt: receivedBySegment)], default);

        Assert.Equal(ClaimKind.AlreadyDone, nextDay[0].Kind);
        Assert.Equal(EventState.Delivered, (await _ledger.LookupAsync("ws", "m-6", default))!.State); // found without its day too
    }

    [Fact]
    public async Task Claim_EventsSegmentReceivedYesterdayAndLastMonth_NoSearchOneRequestPerArrayInSteadyState()
    {
        _time.Advance(TimeSpan.FromHours(4)); // 02:00
        var yesterday = _time.GetUtcNow().AddHours(-5);
        var lastMonth = _time.GetUtcNow().AddDays(-30);
        await _ledger.TableAsync(LedgerKeys.DayFor(yesterday, _time.GetUtcNow()), default);
        _counter.Reset();

        var late = await _ledger.Begin("ws").ClaimAsync([.. Enumerable.Range(0, 50).Select(i => Request($"y-{i}", receivedAt: yesterday))], default);
        var afterYesterday = _counter.TableRequests;
        var backfill = await _ledger.Begin("ws").ClaimAsync([.. Enumerable.Range(0, 50).Select(i => Request($"b-{i}", receivedAt: lastMonth))], default);
        var afterFirstBackfill = _counter.TableRequests - afterYesterday;
        var more = await _ledger.Begin("ws").ClaimAsync([.. Enumerable.Range(50, 50).Select(i => Request($"b-{i}", receivedAt: lastMonth))], default);

        Assert.All([.. late, .. backfill, .. more], c => Assert.Equal(ClaimKind.Owned, c.Kind));
        Assert.Equal(1, afterYesterday); // one insert transaction, no read of another day's table
        Assert.Equal(3, afterFirstBackfill); // that day's table created and marked in use, then one transaction
        Assert.Equal(1, _counter.TableRequests - afterYesterday - afterFirstBackfill);
        Assert.Equal(LedgerKeys.TableName(lastMonth), backfill[0].TableName);
    }

    [Fact]
    public async Task DropExpired_TablesOfEarlierDays_KeptWhileInUseDroppedAfter48HoursUnused()
    {
        var today = _time.GetUtcNow();
        await ClaimAndDeliverAsync(["old-1"], receivedAt: today.AddDays(-5)); // a backfill, delivered today
        await ClaimAndDeliverAsync(["today-1"]);

        _time.Advance(TimeSpan.FromHours(24));
        var keptWhileRecent = await NewLedger().DropExpiredAsync(default);
        _time.Advance(TimeSpan.FromHours(25));
        var dropped = await NewLedger().DropExpiredAsync(default);

        Assert.Empty(keptWhileRecent);
        Assert.Equal([LedgerKeys.TableName(today.AddDays(-5)), LedgerKeys.TableName(today)], dropped.Order());
        var repeat = await NewLedger().Begin("ws").ClaimAsync([Request("today-1", receivedAt: today)], default);
        Assert.Equal(ClaimKind.Owned, repeat[0].Kind); // past the window: its record is gone
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
        Assert.Equal(messageId, (await _ledger.LookupAsync("ws", messageId, Today, default))!.MessageId);
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

    private DateOnly Today => LedgerKeys.DayFor(null, _time.GetUtcNow());

    /// <summary>The claimed event's stored record is changed behind the session's back; then the session delivers it and closes.</summary>
    private async Task<WriteResult> DeliverAfterStoredEditAsync(LedgerSession session, EventClaim claim, Action<Azure.Data.Tables.TableEntity> edit)
    {
        var id = claim.Record.MessageId;
        var table = _clients.Tables.GetTableClient(LedgerKeys.TableName(Today));
        var stored = (await table.GetEntityAsync<Azure.Data.Tables.TableEntity>(LedgerKeys.PartitionFor("ws", id, 1), LedgerKeys.RowKeyFor(id))).Value;
        edit(stored);
        await table.UpdateEntityAsync(stored, stored.ETag, Azure.Data.Tables.TableUpdateMode.Replace);

        session.CallDelivered(claim, new CallRecord("users", 200, _time.GetUtcNow()));
        var outcome = await session.CompleteAsync(claim, r => r with { State = EventState.Delivered }, awaitWrite: true, default);
        await session.DisposeAsync();
        return outcome;
    }

    private async Task<IReadOnlyList<EventClaim>> ClaimAndDeliverAsync(IReadOnlyList<string> ids, DateTimeOffset? receivedAt = null)
    {
        await using var session = _ledger.Begin("ws");
        var claims = await session.ClaimAsync([.. ids.Select(id => Request(id, receivedAt: receivedAt))], default);
        foreach (var claim in claims)
        {
            session.CallDelivered(claim, new CallRecord("users", 200, _time.GetUtcNow()));
            await session.CompleteAsync(claim, r => r with { State = EventState.Delivered }, awaitWrite: false, default);
        }
        return claims;
    }

    /// <summary>A copy of an event Segment received at <paramref name="receivedAt"/> (now by default), each copy its own unless named.</summary>
    private ClaimRequest Request(string messageId, string workspaceId = "ws", string? copyId = null, int? retryAttempt = null, DateTimeOffset? receivedAt = null) => new(new EventRecord
    {
        WorkspaceId = workspaceId, MessageId = messageId, State = EventState.Delivering, Attempts = retryAttempt ?? 0, ReceivedAt = _time.GetUtcNow(),
    }, LedgerKeys.DayFor(receivedAt ?? _time.GetUtcNow(), _time.GetUtcNow()), new ClaimCopy(copyId ?? QueueEnvelope.NewId(), retryAttempt));

    private EventLedger NewLedger(bool enabled = true, int partitions = 1) => new(_clients, _time,
        Options.Create(new LedgerOptions { Enabled = enabled, LeaseSeconds = 60, Partitions = partitions }), NullLogger<EventLedger>.Instance);
}
