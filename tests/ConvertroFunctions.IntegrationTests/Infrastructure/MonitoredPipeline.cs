using System.Text;
using Azure.Storage.Queues;
using ConvertroFunctions.Core.Storage;

namespace ConvertroFunctions.IntegrationTests.Infrastructure;

/// <summary>
/// LocalHost measuring every second, with the poison drain switched off (as when it fails): what
/// lands in the poison queue stays there, so the overview can be watched reporting it.
/// </summary>
public sealed class MonitoredPipeline : PipelineFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("AzureWebJobs.DrainPoisonFunction.Disabled", "true"),
        new("Monitoring:IntervalSeconds", "1"),
        new("Monitoring:DeadLetterCountSeconds", "1"),
    ];

    /// <summary>Puts one envelope straight on segment-events-poison, as the host does after maxDequeueCount failures.</summary>
    public async Task PoisonAsync(string workspaceId, string messageId)
    {
        var poison = new QueueClient(Azurite.ConnectionString, StorageNames.PoisonQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await poison.CreateIfNotExistsAsync();
        var envelope = $$"""{"v":1,"workspaceId":"{{workspaceId}}","receivedAt":"{{Segment.ReceivedAt()}}","events":[{{Segment.Identify(messageId).ToJsonString()}}]}""";
        await poison.SendMessageAsync(new BinaryData(Encoding.UTF8.GetBytes(envelope)));
    }
}
