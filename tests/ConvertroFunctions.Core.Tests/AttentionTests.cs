using System.Text;
using ConvertroFunctions.Core.Monitoring;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Storage;

namespace ConvertroFunctions.Core.Tests;

/// <summary>
/// The rules behind the backlog gauges and the console's banner, as values: since when a message
/// waits (its insertion or its not-before time, whichever is later), where the not-before time is
/// read from, and what needs attention for given measurements and thresholds.
/// </summary>
public sealed class AttentionTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly MonitoringOptions Defaults = new();

    [Fact]
    public void WaitingSince_DelayedRetry_CountsFromItsNotBeforeNotItsInsertion()
    {
        var inserted = Now.AddHours(-2);
        var due = Now.AddMinutes(-1);

        Assert.Equal(due, BacklogProbe.WaitingSince(inserted, due));
    }

    [Fact]
    public void WaitingSince_CopiedToThePoisonQueueAfterItsNotBefore_CountsFromTheCopy()
    {
        var due = Now.AddHours(-3);
        var copied = Now.AddMinutes(-20);

        Assert.Equal(copied, BacklogProbe.WaitingSince(copied, due));
    }

    [Fact]
    public void WaitingSince_NoNotBefore_CountsFromInsertion() =>
        Assert.Equal(Now.AddMinutes(-5), BacklogProbe.WaitingSince(Now.AddMinutes(-5), null));

    [Fact]
    public void NotBefore_Base64EnvelopePlainEnvelopeAndForeignText_ReadOrNull()
    {
        var envelope = QueueMessagePacker.Serialize(new QueueEnvelope
        {
            WorkspaceId = "acme", ReceivedAt = Now, Events = [], NotBefore = Now.AddMinutes(3),
        });

        Assert.Equal(Now.AddMinutes(3), BacklogProbe.NotBefore(new BinaryData(Encoding.ASCII.GetBytes(Convert.ToBase64String(envelope)))));
        Assert.Equal(Now.AddMinutes(3), BacklogProbe.NotBefore(new BinaryData(envelope)));
        Assert.Null(BacklogProbe.NotBefore(new BinaryData(Encoding.ASCII.GetBytes(Convert.ToBase64String(
            QueueMessagePacker.Serialize(new QueueEnvelope { WorkspaceId = "acme", ReceivedAt = Now, Events = [] }))))));
        Assert.Null(BacklogProbe.NotBefore(new BinaryData("not base64, not JSON"u8.ToArray())));
        Assert.Null(BacklogProbe.NotBefore(new BinaryData(Encoding.ASCII.GetBytes(Convert.ToBase64String("[1,2]"u8)))));
    }

    [Fact]
    public void Of_AllQuiet_NothingNeedsAttention() =>
        Assert.Empty(Attention.Of(Queues(events: (3, Now.AddMinutes(-2)), poison: (0, null)), Census(), Defaults));

    [Fact]
    public void Of_PoisonQueueHoldsAMessage_PoisonItemOnly()
    {
        var items = Attention.Of(Queues(events: (0, null), poison: (1, Now.AddSeconds(-10))), Census(), Defaults);

        var item = Assert.Single(items);
        Assert.Equal(Attention.PoisonQueue, item.Code);
        Assert.Equal("The poison queue holds 1 message.", item.Title);
    }

    [Fact]
    public void Of_PoisonQueueAtItsThreshold_NotYet()
    {
        var options = new MonitoringOptions { PoisonMessagesThreshold = 2 };

        Assert.Empty(Attention.Of(Queues(events: (0, null), poison: (2, Now)), Census(), options));
        Assert.Single(Attention.Of(Queues(events: (0, null), poison: (3, Now)), Census(), options));
    }

    [Fact]
    public void Of_OldestMessageJustOverItsThreshold_BacklogItemNamingTheMinutes()
    {
        var queues = Queues(events: (40, Now.AddMinutes(-31)), poison: (0, null));

        var item = Assert.Single(Attention.Of(queues, Census(), Defaults));
        Assert.Equal(Attention.Backlog, item.Code);
        Assert.Contains("has waited 31 minutes (more than 30 minutes)", item.Title);
        Assert.Contains("40 messages queued", item.Detail);
        Assert.Empty(Attention.Of(Queues(events: (40, Now.AddMinutes(-29)), poison: (0, null)), Census(), Defaults));
    }

    [Fact]
    public void Of_OldPoisonMessage_NotABacklogItem()
    {
        // The poison queue has its own item; the oldest-message rule is segment-events', as the alert's.
        var items = Attention.Of(Queues(events: (0, null), poison: (1, Now.AddHours(-5))), Census(), Defaults);

        Assert.Equal([Attention.PoisonQueue], items.Select(i => i.Code));
    }

    [Fact]
    public void Of_DeadLettersWithinTheWindow_ItemNamesWorkspacesAndReasonsMostFirst()
    {
        var census = Census(
            new DeadLetterCount("acme", "convertro_rejected", Stored: 10, Recent: 2),
            new DeadLetterCount("globex", "retries_exhausted", Stored: 5, Recent: 3),
            new DeadLetterCount("initech", "poison_message", Stored: 7, Recent: 0));

        var item = Assert.Single(Attention.Of(Queues(events: (0, null), poison: (0, null)), census, Defaults));

        Assert.Equal(Attention.DeadLetters, item.Code);
        Assert.Equal("5 dead letters in the last 60 minutes.", item.Title);
        Assert.StartsWith("globex: retries_exhausted 3, acme: convertro_rejected 2.", item.Detail);
        Assert.DoesNotContain("initech", item.Detail);
    }

    [Fact]
    public void Of_OnlyOldDeadLettersStored_NoItem() =>
        Assert.Empty(Attention.Of(Queues(events: (0, null), poison: (0, null)),
            Census(new DeadLetterCount("acme", "convertro_rejected", Stored: 10, Recent: 0)), Defaults));

    private static List<QueueBacklog> Queues((long Length, DateTimeOffset? Since) events, (long Length, DateTimeOffset? Since) poison) =>
    [
        new(StorageNames.EventsQueue, events.Length, events.Since, Now),
        new(StorageNames.PoisonQueue, poison.Length, poison.Since, Now),
    ];

    private static DeadLetterCensus Census(params DeadLetterCount[] counts) => new(counts, Now.AddMinutes(-60), Now);
}
