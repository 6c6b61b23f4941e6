using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Delivery;

namespace ConvertroFunctions.Core.Tests;

/// <summary>"Delivered / retry at T / dead-letter with reason" from values alone, without storage.</summary>
public sealed class DeliveryDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan[] Schedule = [TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10)];

    private static SendOutcome Transient(TimeSpan? retryAfter = null) => new(OutcomeKind.Transient, 503, "Convertro answered 503", RetryAfter: retryAfter);

    [Fact]
    public void Decide_NoFailure_Delivered() =>
        Assert.IsType<DeliveryDecision.Delivered>(DeliveryDecision.Decide(null, 3, Schedule, Now, 0));

    [Theory]
    [InlineData(0, 30)]
    [InlineData(1, 120)]
    [InlineData(2, 600)]
    public void Decide_TransientWithAttemptsLeft_RetryAtTheScheduledWait(int failedBefore, int seconds)
    {
        var retry = Assert.IsType<DeliveryDecision.Retry>(DeliveryDecision.Decide(Transient(), failedBefore, Schedule, Now, 0));

        Assert.Equal(Now + TimeSpan.FromSeconds(seconds), retry.At);
        Assert.Equal(failedBefore + 1, retry.Attempt);
    }

    [Fact]
    public void Decide_Jitter_AddsAtMostTenPercent()
    {
        var most = Assert.IsType<DeliveryDecision.Retry>(DeliveryDecision.Decide(Transient(), 0, Schedule, Now, 0.5));

        Assert.Equal(TimeSpan.FromSeconds(33), most.Delay);
    }

    [Fact]
    public void Decide_RetryAfterLongerThanTheWait_Wins()
    {
        var retry = Assert.IsType<DeliveryDecision.Retry>(DeliveryDecision.Decide(Transient(TimeSpan.FromMinutes(5)), 0, Schedule, Now, 0));

        Assert.Equal(Now + TimeSpan.FromMinutes(5), retry.At);
    }

    [Fact]
    public void Decide_RetryAfterShorterThanTheWait_TheWaitStands()
    {
        var retry = Assert.IsType<DeliveryDecision.Retry>(DeliveryDecision.Decide(Transient(TimeSpan.FromSeconds(1)), 0, Schedule, Now, 0));

        Assert.Equal(TimeSpan.FromSeconds(30), retry.Delay);
    }

    [Fact]
    public void Decide_TransientOnTheLastAttempt_RetriesExhausted()
    {
        var dead = Assert.IsType<DeliveryDecision.DeadLetter>(DeliveryDecision.Decide(Transient(), Schedule.Length, Schedule, Now, 0));

        Assert.Equal(ReasonCodes.RetriesExhausted, dead.ReasonCode);
        Assert.Equal(Schedule.Length + 1, dead.Attempts);
        Assert.Equal("Gave up after 4 attempts: Convertro answered 503", dead.Reason);
    }

    [Fact]
    public void Decide_Permanent_ConvertroRejectedAtOnce()
    {
        var rejected = new SendOutcome(OutcomeKind.Permanent, 400, "Convertro answered 400");

        var dead = Assert.IsType<DeliveryDecision.DeadLetter>(DeliveryDecision.Decide(rejected, 0, Schedule, Now, 0));

        Assert.Equal((ReasonCodes.ConvertroRejected, "Convertro answered 400", 1), (dead.ReasonCode, dead.Reason, dead.Attempts));
    }

    [Fact]
    public void Decide_EmptySchedule_FirstTransientFailureIsExhausted() =>
        Assert.Equal(ReasonCodes.RetriesExhausted,
            Assert.IsType<DeliveryDecision.DeadLetter>(DeliveryDecision.Decide(Transient(), 0, [], Now, 0)).ReasonCode);
}

/// <summary>The one transient rule for failures without a status.</summary>
public sealed class SendOutcomeExceptionTests
{
    [Fact]
    public void IsTransient_ConnectionFailureOrTimeout_True()
    {
        Assert.True(SendOutcome.IsTransient(new HttpRequestException("refused"), default));
        Assert.True(SendOutcome.IsTransient(new Polly.Timeout.TimeoutRejectedException(), default));
        Assert.True(SendOutcome.IsTransient(new TaskCanceledException(), default));
    }

    [Fact]
    public void IsTransient_CancelledByTheCaller_NotAnOutcome()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.False(SendOutcome.IsTransient(new OperationCanceledException(cts.Token), cts.Token));
    }

    [Fact]
    public void IsTransient_AnythingElse_False() =>
        Assert.False(SendOutcome.IsTransient(new InvalidOperationException(), default));
}
