using ConvertroFunctions.Core.Ledger;

namespace ConvertroFunctions.Core.Tests;

/// <summary>What an existing record means for a new copy of its event: the one rule delivery and preview share.</summary>
public sealed class LedgerClaimRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(EventState.Delivered, 0, false, ClaimKind.AlreadyDone)]
    [InlineData(EventState.Skipped, 0, true, ClaimKind.AlreadyDone)]
    [InlineData(EventState.Delivering, 60, false, ClaimKind.InFlight)] // held by another delivery
    [InlineData(EventState.Delivering, 60, true, ClaimKind.InFlight)]
    [InlineData(EventState.Delivering, -1, false, null)] // its lease ran out: taken over
    [InlineData(EventState.Retrying, 0, false, ClaimKind.Duplicate)]
    [InlineData(EventState.Queued, 0, false, ClaimKind.Duplicate)]
    [InlineData(EventState.Retrying, 0, true, null)] // the retry itself owns it
    [InlineData(EventState.Queued, 0, true, null)]
    [InlineData(EventState.DeadLettered, 0, false, null)] // sent again: delivered
    public void KindForCopy_EachState(EventState state, int leaseSeconds, bool isRetry, ClaimKind? expected)
    {
        var record = new EventRecord
        {
            WorkspaceId = "ws", MessageId = "m", State = state,
            LeaseUntil = state == EventState.Delivering ? Now.AddSeconds(leaseSeconds) : null,
        };

        Assert.Equal(expected, LedgerSession.KindForCopy(record, isRetry, Now));
    }
}
