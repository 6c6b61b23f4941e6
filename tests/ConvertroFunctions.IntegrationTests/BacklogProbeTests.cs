using System.Text;
using ConvertroFunctions.Core.Monitoring;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost.Azurite;
using Xunit.Abstractions;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// The backlog measured against a real Azurite, with no host consuming the queue: a message put
/// back with a delay carries its not-before time and is counted as waiting from then, not from its
/// insertion; a plain message waits from its insertion; a queue not created yet is empty.
/// </summary>
public sealed class BacklogProbeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private AzuriteProcess _azurite = null!;
    private StorageClients _clients = null!;

    public async Task InitializeAsync()
    {
        _azurite = await TestAzurite.StartAsync();
        _clients = StorageClients.ForConnectionString(_azurite.ConnectionString);
    }

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    [Fact]
    public async Task Measure_NoQueueYet_EmptyAndNothingWaiting()
    {
        var backlog = await new BacklogProbe(_clients, TimeProvider.System).MeasureAsync(StorageNames.PoisonQueue, default);

        Assert.Equal(0, backlog.Length);
        Assert.Null(backlog.OldestWaitingSince);
        Assert.Equal(TimeSpan.Zero, backlog.OldestWaiting);
    }

    [Fact]
    public async Task EnqueueWithDelay_Retry_CarriesNotBeforeAndWaitsFromItOnceVisible()
    {
        await _clients.Queues.GetQueueClient(StorageNames.EventsQueue).CreateIfNotExistsAsync();
        var queue = new EventQueue(_clients, TimeProvider.System);
        var probe = new BacklogProbe(_clients, TimeProvider.System);
        var delay = TimeSpan.FromSeconds(3);
        var envelope = new QueueEnvelope
        {
            WorkspaceId = "acme", ReceivedAt = DateTimeOffset.UtcNow.AddHours(-1),
            Events = [new RawJson(Encoding.UTF8.GetBytes(Segment.Identify("retry-1").ToJsonString()))],
            Retry = new RetryState { Attempt = 2 },
        };

        var before = DateTimeOffset.UtcNow;
        await queue.EnqueueAsync(envelope, delay, default);
        var hidden = await probe.MeasureAsync(StorageNames.EventsQueue, default);

        // Still waiting out its delay: counted in the queue, not as late.
        Assert.Equal(1, hidden.Length);
        Assert.Null(hidden.OldestWaitingSince);

        QueueBacklog visible = hidden;
        await Eventually.TrueAsync(async () => (visible = await probe.MeasureAsync(StorageNames.EventsQueue, default)).OldestWaitingSince is not null,
            timeout: TimeSpan.FromSeconds(20));
        var peeked = (await _clients.Queues.GetQueueClient(StorageNames.EventsQueue).PeekMessageAsync()).Value;
        var notBefore = QueueMessagePacker.Deserialize(peeked.Body).NotBefore;
        output.WriteLine($"sent at {before:O}, notBefore {notBefore:O}, the service's insertion time {peeked.InsertedOn:O}, waiting since {visible.OldestWaitingSince:O}");

        Assert.NotNull(notBefore);
        Assert.InRange(notBefore.Value, before + delay, before + delay + TimeSpan.FromSeconds(2));
        Assert.Equal(BacklogProbe.WaitingSince(peeked.InsertedOn, notBefore), visible.OldestWaitingSince);
        Assert.True(visible.OldestWaitingSince >= notBefore, $"waiting since {visible.OldestWaitingSince:O}, before its due time {notBefore:O}");
        Assert.InRange(visible.OldestWaiting, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task EnqueueAccepted_PlainMessage_WaitsFromItsInsertionAndHasNoNotBefore()
    {
        await _clients.Queues.GetQueueClient(StorageNames.EventsQueue).CreateIfNotExistsAsync();
        var queue = new EventQueue(_clients, TimeProvider.System);
        var probe = new BacklogProbe(_clients, TimeProvider.System);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        await queue.EnqueueAsync("acme", DateTimeOffset.UtcNow, [Encoding.UTF8.GetBytes(Segment.Identify("plain-1").ToJsonString())], default);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var backlog = await probe.MeasureAsync(StorageNames.EventsQueue, default);

        var peeked = (await _clients.Queues.GetQueueClient(StorageNames.EventsQueue).PeekMessageAsync()).Value;
        Assert.Null(QueueMessagePacker.Deserialize(peeked.Body).NotBefore);
        Assert.Equal(peeked.InsertedOn, backlog.OldestWaitingSince);
        Assert.True(backlog.OldestWaitingSince >= before);
        Assert.InRange(backlog.OldestWaiting, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
    }
}
