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

        var letters = await pipeline.WaitForDeadLettersAsync(id, 2);

        Assert.Equal(["poisoned-1", "poisoned-2"], letters.Select(l => l.GetProperty("messageId").GetString()).Order());
        Assert.All(letters, l => Assert.Contains("poison queue", l.GetProperty("reason").GetString()));
        Assert.All(letters, l => Assert.Equal("identify", l.GetProperty("eventType").GetString()));
    }

    [Fact]
    public async Task Deliver_MessageIsNotAnEnvelope_DeadLetteredWholeUnderUnreadable()
    {
        var marker = "not-an-envelope-" + Guid.NewGuid().ToString("N");
        await (await EventsQueueAsync()).SendMessageAsync(new BinaryData(Encoding.UTF8.GetBytes($"{{\"{marker}\":1}}")));

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

        Assert.StartsWith("The queue message could not be read", found!.GetString("Reason"));
    }

    [Fact]
    public async Task Deliver_MessageNotBase64_EndsInPoisonOfPoisonLikeTheFunctionsHost()
    {
        // Only a foreign writer can do this (this app always writes base64). The Functions host moves
        // a message it cannot decode to the trigger's poison queue; the poison drain cannot decode it
        // either, so it lands in segment-events-poison-poison, kept, for a person (docs/operations.md).
        var marker = "plain-text-" + Guid.NewGuid().ToString("N");
        await Storage.CreateQueueClient(StorageNames.EventsQueue, QueueMessageEncoding.None).SendMessageAsync($"{{\"{marker}\":true}}");
        var poisonOfPoison = Storage.CreateQueueClient(StorageNames.PoisonQueue + "-poison", QueueMessageEncoding.None);

        await Eventually.TrueAsync(async () =>
        {
            if (!(await poisonOfPoison.ExistsAsync()).Value)
            {
                return false;
            }
            var peeked = (await poisonOfPoison.PeekMessagesAsync(32)).Value;
            return peeked.Any(m => m.MessageText.Contains(marker));
        }, message: () => "the undecodable message is not in segment-events-poison-poison");
    }
}
