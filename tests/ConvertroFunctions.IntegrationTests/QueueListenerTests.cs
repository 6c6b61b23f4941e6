using System.Collections.Concurrent;
using System.Text;
using Azure.Storage.Queues;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost.Azurite;
using ConvertroFunctions.LocalHost.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>LocalHost's queue trigger against a real Azurite queue: the Functions host's semantics.</summary>
public sealed class QueueListenerTests : IAsyncLifetime
{
    private AzuriteProcess _azurite = null!;
    private StorageClients _storage = null!;

    public async Task InitializeAsync()
    {
        _azurite = await TestAzurite.StartAsync();
        _storage = StorageClients.ForConnectionString(_azurite.ConnectionString);
    }

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    private static QueueHostOptions Options(string encoding = "base64", int? newBatchThreshold = null) => new()
    {
        BatchSize = 4,
        NewBatchThreshold = newBatchThreshold,
        MaxPollingInterval = TimeSpan.FromMilliseconds(200),
        VisibilityTimeout = TimeSpan.Zero,
        MaxDequeueCount = 3,
        MessageEncoding = encoding,
    };

    private async Task<(QueueClient Queue, QueueClient Poison)> NewQueueAsync(string name)
    {
        var queue = _storage.CreateQueueClient(name, QueueMessageEncoding.None);
        var poison = _storage.CreateQueueClient(name + "-poison", QueueMessageEncoding.None);
        await queue.CreateIfNotExistsAsync();
        return (queue, poison);
    }

    private QueueListener Listener(string name, Func<BinaryData, CancellationToken, Task> handler, QueueHostOptions options) =>
        new(name, handler, _storage, Microsoft.Extensions.Options.Options.Create(options), NullLogger<QueueListener>.Instance);

    private static async Task<int> CountAsync(QueueClient queue) =>
        (await queue.ExistsAsync()).Value ? (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount : 0;

    [Fact]
    public async Task Listener_HandlerSucceeds_DecodedBodyDeliveredOnceAndMessageDeleted()
    {
        var (queue, _) = await NewQueueAsync("ok-" + Guid.NewGuid().ToString("N")[..8]);
        var seen = new ConcurrentBag<string>();
        await queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"hello\":\"wörld\"}")));
        using var listener = Listener(queue.Name, (body, _) => { seen.Add(body.ToString()); return Task.CompletedTask; }, Options());

        await listener.StartAsync(default);
        await Eventually.TrueAsync(() => !seen.IsEmpty);
        await Eventually.TrueAsync(async () => await CountAsync(queue) == 0);
        await Task.Delay(600);
        await listener.StopAsync(default);

        Assert.Equal(["{\"hello\":\"wörld\"}"], seen);
    }

    [Fact]
    public async Task Listener_HandlerAlwaysThrows_TriedMaxDequeueCountTimesThenMovedToPoison()
    {
        var (queue, poison) = await NewQueueAsync("fail-" + Guid.NewGuid().ToString("N")[..8]);
        var attempts = 0;
        await queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("payload")));
        using var listener = Listener(queue.Name, (_, _) =>
        {
            Interlocked.Increment(ref attempts);
            throw new InvalidOperationException("boom");
        }, Options());

        await listener.StartAsync(default);
        await Eventually.TrueAsync(async () => await CountAsync(poison) == 1, message: () => $"attempts so far: {attempts}");
        await listener.StopAsync(default);

        Assert.Equal(3, attempts);
        Assert.Equal(0, await CountAsync(queue));
        var moved = (await poison.ReceiveMessageAsync()).Value;
        Assert.Equal("payload", Encoding.UTF8.GetString(Convert.FromBase64String(moved.MessageText)));
    }

    [Fact]
    public async Task Listener_MessageNotBase64_MovedToPoisonWithoutRunningTheHandler()
    {
        var (queue, poison) = await NewQueueAsync("plain-" + Guid.NewGuid().ToString("N")[..8]);
        var calls = 0;
        await queue.SendMessageAsync("{\"plain\": json}");
        using var listener = Listener(queue.Name, (_, _) => { Interlocked.Increment(ref calls); return Task.CompletedTask; }, Options());

        await listener.StartAsync(default);
        await Eventually.TrueAsync(async () => await CountAsync(poison) == 1);
        await listener.StopAsync(default);

        Assert.Equal(0, calls);
        Assert.Equal(0, await CountAsync(queue));
    }

    [Fact]
    public async Task Listener_EncodingNone_HandlerGetsTheRawText()
    {
        var (queue, _) = await NewQueueAsync("none-" + Guid.NewGuid().ToString("N")[..8]);
        var seen = new ConcurrentBag<string>();
        await queue.SendMessageAsync("{\"raw\":true}");
        using var listener = Listener(queue.Name, (body, _) => { seen.Add(body.ToString()); return Task.CompletedTask; }, Options("none"));

        await listener.StartAsync(default);
        await Eventually.TrueAsync(() => !seen.IsEmpty);
        await listener.StopAsync(default);

        Assert.Equal(["{\"raw\":true}"], seen);
    }

    [Fact]
    public async Task Listener_ManyMessages_RunsUpToBatchSizeConcurrently()
    {
        var (queue, _) = await NewQueueAsync("batch-" + Guid.NewGuid().ToString("N")[..8]);
        for (var i = 0; i < 12; i++)
        {
            await queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }
        int running = 0, peak = 0, done = 0;
        using var listener = Listener(queue.Name, async (_, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await Task.Delay(300, ct);
            Interlocked.Decrement(ref running);
            Interlocked.Increment(ref done);
        }, Options(newBatchThreshold: 0));

        await listener.StartAsync(default);
        await Eventually.TrueAsync(() => Volatile.Read(ref done) == 12);
        await listener.StopAsync(default);

        Assert.InRange(peak, 2, 4);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
