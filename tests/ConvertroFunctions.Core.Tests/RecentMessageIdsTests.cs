using ConvertroFunctions.Core.Ingest;

namespace ConvertroFunctions.Core.Tests;

/// <summary>Ingest's "duplicates" hint: ids this instance accepted in the last 24 hours.</summary>
public sealed class RecentMessageIdsTests
{
    private readonly Clock _clock = new();

    [Fact]
    public void Record_SameIdTwiceInOneBody_TheSecondIsARepeat()
    {
        var recent = new RecentMessageIds(_clock);

        Assert.Equal(1, recent.Record("ws", ["a", "b", "a"]));
    }

    [Fact]
    public void Record_AgainWithinTheWindow_RepeatsCountedPerWorkspace()
    {
        var recent = new RecentMessageIds(_clock);
        recent.Record("ws", ["a", "b"]);
        _clock.Now += TimeSpan.FromHours(23);

        Assert.Equal(2, recent.Record("ws", ["a", "b", "c"]));
        Assert.Equal(0, recent.Record("other", ["a"]));
    }

    [Fact]
    public void Record_AfterTheWindow_NotARepeatAndTheWindowStartsAgain()
    {
        var recent = new RecentMessageIds(_clock);
        recent.Record("ws", ["a"]);
        _clock.Now += TimeSpan.FromHours(25);

        Assert.Equal(0, recent.Record("ws", ["a"]));
        _clock.Now += TimeSpan.FromHours(1);
        Assert.Equal(1, recent.Record("ws", ["a"]));
    }

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
