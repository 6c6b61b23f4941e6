using ConvertroFunctions.Core.Ledger;

namespace ConvertroFunctions.Core.Tests;

/// <summary>
/// The owner rule as values (docs/architecture.md, "The event ledger"): what an existing record
/// means for each copy of its event, on every path. Scenarios 1-5 are the holes the rule closes;
/// tests/ConvertroFunctions.IntegrationTests/LedgerOwnerTests.cs runs the same against Azurite.
/// </summary>
public sealed class ClaimRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(EventState.Delivered, 0, null, null, ClaimKind.AlreadyDone)]
    [InlineData(EventState.Skipped, 0, null, 3, ClaimKind.AlreadyDone)]
    [InlineData(EventState.Delivering, 60, "other", null, ClaimKind.InFlight)] // held by another delivery
    [InlineData(EventState.Delivering, 60, "me", null, ClaimKind.InFlight)] // the same copy, still running: one at a time
    [InlineData(EventState.Delivering, -1, "other", null, ClaimKind.Owned)] // its lease ran out: taken over
    [InlineData(EventState.Retrying, 0, "other", 1, ClaimKind.Duplicate)] // scenario 5: a stale retry
    [InlineData(EventState.Retrying, 0, "me", 2, ClaimKind.Owned)] // the queued retry itself
    [InlineData(EventState.Queued, 0, "other", null, ClaimKind.Duplicate)] // a replay's copy is queued
    [InlineData(EventState.Queued, 0, "me", null, ClaimKind.Owned)]
    [InlineData(EventState.DeadLettered, 0, null, null, ClaimKind.Owned)] // sent again: delivered after all
    public void Decide_ADeliveryCopy_EachState(EventState state, int leaseSeconds, string? owner, int? retryAttempt, ClaimKind expected)
    {
        var decision = ClaimRules.Decide(Record(state, owner, leaseSeconds), new ClaimCopy("me", retryAttempt), Now);

        Assert.Equal(expected, decision.Kind);
    }

    [Fact]
    public void Decide_NoRecord_Owned() => Assert.Equal(ClaimKind.Owned, ClaimRules.Decide(null, new ClaimCopy("me", null), Now).Kind);

    [Fact]
    public void Decide_HeldUnderALiveLease_WaitsForTheLeaseLeft()
    {
        var decision = ClaimRules.Decide(Record(EventState.Delivering, "other", 45), new ClaimCopy("me", null), Now);

        Assert.Equal((ClaimKind.InFlight, TimeSpan.FromSeconds(45), false), (decision.Kind, decision.RetryAfter, decision.SuccessorPending));
    }

    [Fact]
    public void Decide_RetryFindsTheAttemptThatQueuedItStillDelivering_SuccessorPending()
    {
        var held = Record(EventState.Delivering, "attempt-2", 60) with { Attempts = 1 };

        Assert.True(ClaimRules.Decide(held, new ClaimCopy("attempt-3", 2), Now).SuccessorPending);
        Assert.False(ClaimRules.Decide(held, new ClaimCopy("attempt-3", 3), Now).SuccessorPending);
        Assert.False(ClaimRules.Decide(held, new ClaimCopy("someone", null), Now).SuccessorPending);
    }

    [Theory]
    [InlineData(EventState.Delivered, ClaimKind.AlreadyDone)] // scenario 1: a replay never takes over a delivered event
    [InlineData(EventState.Skipped, ClaimKind.AlreadyDone)]
    [InlineData(EventState.Delivering, ClaimKind.InFlight)] // scenario 1: nor races a live delivery
    [InlineData(EventState.Retrying, ClaimKind.Duplicate)] // a retry is queued already
    [InlineData(EventState.Queued, ClaimKind.Duplicate)] // a second replay
    [InlineData(EventState.DeadLettered, ClaimKind.Owned)]
    public void Decide_AReplay_OnlyAnEventWithoutAnOutcome(EventState state, ClaimKind expected) =>
        Assert.Equal(expected, ClaimRules.Decide(Record(state, "someone", 60), new ClaimCopy("replay", null, CopyPath.Replay), Now).Kind);

    [Theory]
    [InlineData(EventState.Delivered, "me", ClaimKind.AlreadyDone)] // scenario 2: a delivered event gets no dead letter
    [InlineData(EventState.Skipped, "me", ClaimKind.AlreadyDone)]
    [InlineData(EventState.DeadLettered, null, ClaimKind.AlreadyDone)] // it has its letter
    [InlineData(EventState.Retrying, "retry", ClaimKind.Duplicate)] // scenario 2: the queued retry keeps it
    [InlineData(EventState.Retrying, "me", ClaimKind.Owned)] // the poisoned message was the retry itself
    public void Decide_ThePoisonDrain_OnlyEventsWithNoOutcome(EventState state, string? owner, ClaimKind expected) =>
        Assert.Equal(expected, ClaimRules.Decide(Record(state, owner, 0), new ClaimCopy("me", 1, CopyPath.PoisonDrain), Now).Kind);

    [Fact]
    public void Decide_LeaseRanOutOfTheCopyThatWasPoisoned_TheDrainTakesOver() =>
        Assert.Equal(ClaimKind.Owned, ClaimRules.Decide(Record(EventState.Delivering, "me", -1), new ClaimCopy("me", null, CopyPath.PoisonDrain), Now).Kind);

    [Fact]
    public void Decide_AcrossMidnight_SecondCopyOfOneRecordIsInFlight()
    {
        // Scenario 3: every copy finds the same record (the table of the day Segment received the event),
        // so once one took the crashed delivery's record over, the other finds it held.
        var crashed = Record(EventState.Delivering, "crashed", -1);
        var first = ClaimRules.Decide(crashed, new ClaimCopy("resent", null), Now);
        var takenOver = ClaimRules.Claimed(crashed, crashed with { Owner = "resent", LeaseUntil = Now.AddSeconds(60) });
        var second = ClaimRules.Decide(takenOver, new ClaimCopy("retry", 1), Now);

        Assert.Equal((ClaimKind.Owned, ClaimKind.InFlight), (first.Kind, second.Kind));
    }

    [Fact]
    public void Decide_RecordWrittenBeforeOwners_RetriesOwnItOtherCopiesAreDuplicates()
    {
        var legacy = Record(EventState.Retrying, owner: null, 0);

        Assert.Equal(ClaimKind.Owned, ClaimRules.Decide(legacy, new ClaimCopy("any", 1), Now).Kind);
        Assert.Equal(ClaimKind.Duplicate, ClaimRules.Decide(legacy, new ClaimCopy("any", null), Now).Kind);
        Assert.Equal(ClaimKind.Duplicate, ClaimRules.Decide(legacy, new ClaimCopy("any", null, CopyPath.Replay), Now).Kind);
    }

    [Fact]
    public void Claimed_OverAnEarlierRecord_KeepsItsCallsAttemptsLetterAndReceipt()
    {
        var earlier = Record(EventState.DeadLettered, null, 0) with
        {
            Calls = [new CallRecord("events:sale.new", 200, Now)], Attempts = 3, DeadLetterId = "letter-1", ReceivedAt = Now.AddHours(-5),
        };
        var wanted = Record(EventState.Delivering, "me", 60) with
        {
            Calls = [new CallRecord("events:sale", 0, Now), new CallRecord("events:sale.new", 0, Now)], DeadLetterId = "letter-2", ReceivedAt = Now,
        };

        var claimed = ClaimRules.Claimed(earlier, wanted);

        Assert.Equal(["events:sale.new", "events:sale"], claimed.Calls.Select(c => c.Key));
        Assert.Equal((3, "letter-1", Now.AddHours(-5), "me"), (claimed.Attempts, claimed.DeadLetterId, claimed.ReceivedAt, claimed.Owner));
    }

    private static EventRecord Record(EventState state, string? owner, int leaseSeconds) => new()
    {
        WorkspaceId = "ws", MessageId = "m", State = state, Owner = owner,
        LeaseUntil = state == EventState.Delivering ? Now.AddSeconds(leaseSeconds) : null,
    };
}
