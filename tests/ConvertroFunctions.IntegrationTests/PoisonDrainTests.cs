using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using ConvertroFunctions.Core.Delivery;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>A pipeline whose host gives up on a message after 2 failed runs.</summary>
public sealed class FastPoisonPipelineFixture : PipelineFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("AzureFunctionsJobHost:extensions:queues:maxDequeueCount", "2")];
}

/// <summary>
/// Messages the host could not process end up in DeadLetters, where operators look and replay:
/// through the poison queue after repeated unexpected failures, or directly when unreadable.
/// </summary>
public sealed class PoisonDrainTests(FastPoisonPipelineFixture pipeline) : IClassFixture<FastPoisonPipelineFixture>
{
    private StorageClients Storage => pipeline.Host.App.Services.GetRequiredService<StorageClients>();

    /// <summary>The events queue, created if this test runs before the listener's first poll has.</summary>
    private async Task<QueueClient> EventsQueueAsync()
    {
        var queue = Storage.Queues.GetQueueClient(StorageNames.EventsQueue);
        await queue.CreateIfNotExistsAsync();
        return queue;
    }

    [Fact]
    public async Task Deliver_UnexpectedExceptionEveryRun_MessagePoisonedAndItsEventsDeadLettered()
    {
        // A workspace entity whose events mapping is corrupt: reading it throws on every run.
        var id = "corrupt-" + Guid.NewGuid().ToString("N")[..8];
        var workspaces = Storage.Tables.GetTableClient(StorageNames.WorkspacesTable);
        await workspaces.CreateIfNotExistsAsync();
        await workspaces.AddEntityAsync(new TableEntity(id, "settings")
        {
            ["Account"] = "acme", ["ClientName"] = "c", ["SiteId"] = "s", ["Domain"] = "acme.convertro.com", ["Events"] = "{not json",
        });
        var envelope = $$"""{"v":1,"workspaceId":"{{id}}","receivedAt":"2026-03-01T10:00:00+00:00","events":[{{Segment.Identify("poisoned-1").ToJsonString()}},{{Segment.Identify("poisoned-2").ToJsonString()}}]}""";
        await (await EventsQueueAsync()).SendMessageAsync(new BinaryData(Encoding.UTF8.GetBytes(envelope)));

        // Read from the table: every admin route refuses this workspace's unreadable settings too.
        var table = Storage.Tables.GetTableClient(StorageNames.DeadLettersTable);
        await table.CreateIfNotExistsAsync();
        List<TableEntity> letters = [];
        await Eventually.TrueAsync(async () =>
        {
            letters = [];
            await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {id}")))
            {
                letters.Add(e);
            }
            return letters.Count >= 2;
        }, message: () => $"{letters.Count} dead letter(s)");

        Assert.Equal(["poisoned-1", "poisoned-2"], letters.Select(l => l.GetString("MessageId")).Order());
        Assert.All(letters, l => Assert.Equal("poison_message", l.GetString("ReasonCode")));
        Assert.All(letters, l => Assert.Contains("poison queue", l.GetString("Reason")));
        Assert.All(letters, l => Assert.Equal("identify", l.GetString("EventType")));
    }

    [Fact]
    public async Task DrainPoison_MessageHoldingADeliveredEvent_OnlyTheUnfinishedAreDeadLetteredAndReplayingThemSendsNothingTwice()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var delivered = Segment.Identify("pd-delivered");
        await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", delivered.ToJsonString());
        await Admin.EventAsync(pipeline.Client, ws, "pd-delivered", "delivered");
        // An event whose earlier delivery recorded its users call, then stopped (its lease released).
        var partial = Segment.Identify("pd-partial");
        var ledger = pipeline.Host.App.Services.GetRequiredService<Core.Ledger.EventLedger>();
        await using (var session = ledger.Begin(ws.Id))
        {
            var claim = Assert.Single(await session.ClaimAsync([new Core.Ledger.ClaimRequest(new Core.Ledger.EventRecord
            {
                WorkspaceId = ws.Id, MessageId = "pd-partial", State = Core.Ledger.EventState.Delivering, ReceivedAt = DateTimeOffset.UtcNow,
            }, Core.Ledger.LedgerKeys.DayFor(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow), new Core.Ledger.ClaimCopy("an-earlier-copy", null))], default));
            session.CallDelivered(claim, new Core.Ledger.CallRecord("users", 200, DateTimeOffset.UtcNow));
        }
        var untouched = Segment.Identify("pd-new");

        // The host gave up on a message holding all three (an unexpected error, maxDequeueCount times).
        var envelope = $$"""{"v":1,"workspaceId":"{{ws.Id}}","receivedAt":"{{Segment.ReceivedAt()}}","events":[{{delivered.ToJsonString()}},{{partial.ToJsonString()}},{{untouched.ToJsonString()}}]}""";
        var poison = Storage.Queues.GetQueueClient(StorageNames.PoisonQueue);
        await poison.CreateIfNotExistsAsync();
        await poison.SendMessageAsync(new BinaryData(Encoding.UTF8.GetBytes(envelope)));

        var letters = await pipeline.WaitForDeadLettersAsync(ws.Id, 2);
        await Task.Delay(TimeSpan.FromSeconds(2)); // a third, wrong, letter would be written by now
        letters = await pipeline.DeadLettersAsync(ws.Id);
        Assert.Equal(["pd-new", "pd-partial"], letters.Select(l => l.GetProperty("messageId").GetString()).Order());
        var partialLetter = letters.Single(l => l.GetProperty("messageId").GetString() == "pd-partial");
        Assert.Equal(["users"], partialLetter.GetProperty("deliveredCalls").EnumerateArray().Select(c => c.GetString()));

        var replay = await pipeline.Client.PostJsonAsync($"/api/workspaces/{ws.Id}/dead-letters/replay", "{}");
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);

        await Accounting.AssertEveryEventFinalAsync(pipeline, ws,
            [ExpectedOutcome.Delivered("pd-delivered", "users"), ExpectedOutcome.Delivered("pd-new", "users"), new ExpectedOutcome("pd-partial", [])]);
        Assert.Empty(await pipeline.DeadLettersAsync(ws.Id));
    }

    [Fact]
    public async Task Deliver_MessageIsNotAnEnvelope_DeadLetteredWholeUnderUnreadable()
    {
        var marker = "not-an-envelope-" + Guid.NewGuid().ToString("N");
        await (await EventsQueueAsync()).SendMessageAsync(new BinaryData(Encoding.UTF8.GetBytes($"{{\"{marker}\":1}}")));

        var found = await UnreadableLetterAsync(marker);

        Assert.StartsWith("The queue message could not be read", found.GetString("Reason"));
        Assert.Equal("unreadable_message", found.GetString("ReasonCode"));
    }

    [Fact]
    public async Task Deliver_MessageNotBase64_MovedToThePoisonQueueAndLeftThereLikeTheFunctionsHost()
    {
        // Only a foreign writer can do this (this app always writes base64). The Functions host moves
        // a message it cannot decode to the trigger's poison queue; it never moves a message of a
        // -poison queue anywhere else, so it stays in segment-events-poison, for a person (docs/operations.md).
        var marker = "plain-text-" + Guid.NewGuid().ToString("N");
        var events = Storage.CreateQueueClient(StorageNames.EventsQueue, QueueMessageEncoding.None);
        await events.CreateIfNotExistsAsync();
        await events.SendMessageAsync($"{{\"{marker}\":true}}");
        var poison = Storage.CreateQueueClient(StorageNames.PoisonQueue, QueueMessageEncoding.None);

        // Counted, not peeked: the drain's listener holds it (invisible) while it tries.
        await Eventually.TrueAsync(async () => (await poison.ExistsAsync()).Value
            && (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount >= 1,
            message: () => "the undecodable message never reached segment-events-poison");
        // The drain keeps trying (its lease makes it reappear) and never moves it on.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.False((await Storage.CreateQueueClient(StorageNames.PoisonQueue + "-poison", QueueMessageEncoding.None).ExistsAsync()).Value);
    }

    [Fact]
    public async Task DrainPoison_EventThatIsNotJson_DeadLetteredWholeAsUnreadable()
    {
        // The host never re-poisons a -poison queue: whatever the drain cannot store it must dead-letter itself.
        // A foreign envelope whose workspace id Table storage refuses as a PartitionKey ('/' is forbidden).
        var marker = "broken-" + Guid.NewGuid().ToString("N");
        var envelope = $$"""{"v":1,"workspaceId":"ws/{{marker}}","receivedAt":"2026-03-01T10:00:00+00:00","events":[{"type":"track","messageId":"{{marker}}"}]}""";
        var poison = Storage.CreateQueueClient(StorageNames.PoisonQueue, QueueMessageEncoding.Base64);
        await poison.CreateIfNotExistsAsync();
        await poison.SendMessageAsync(envelope);

        var letter = await UnreadableLetterAsync(marker);

        Assert.Equal("unreadable_message", letter.GetString("ReasonCode"));
        await Eventually.TrueAsync(async () => (await poison.PeekMessagesAsync(32)).Value.All(m => !m.Body.ToString().Contains(marker)),
            message: () => "the message is still on the poison queue");
    }

    /// <summary>Waits for the dead letter of an unreadable message holding <paramref name="marker"/>.</summary>
    private async Task<TableEntity> UnreadableLetterAsync(string marker)
    {
        var deadLetters = Storage.Tables.GetTableClient(StorageNames.DeadLettersTable);
        await deadLetters.CreateIfNotExistsAsync();
        TableEntity? found = null;
        await Eventually.TrueAsync(async () =>
        {
            await foreach (var e in deadLetters.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {DeadLetterWriter.UnreadablePartition}")))
            {
                if (Encoding.UTF8.GetString(e.GetBinary("Event")!).Contains(marker))
                {
                    found = e;
                }
            }
            return found is not null;
        }, message: () => "no unreadable dead letter");
        return found!;
    }
}
