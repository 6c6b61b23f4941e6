using System.Collections.Concurrent;
using System.Text;
using Azure.Storage.Queues;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost.Azurite;
using ConvertroFunctions.LocalHost.Queues;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// LocalHost's queue trigger is the Functions host's own listener (the WebJobs Storage Queues
/// extension) run by <see cref="QueueTriggerHost"/>, here with test functions on their own queues of a
/// real Azurite. These pin down the behaviour the product relies on (docs/architecture.md, "Two hosts").
/// </summary>
public sealed class QueueTriggerHostTests : IAsyncLifetime
{
    private AzuriteProcess _azurite = null!;
    private StorageClients _storage = null!;

    public async Task InitializeAsync()
    {
        _azurite = await TestAzurite.StartAsync();
        _storage = StorageClients.ForConnectionString(_azurite.ConnectionString);
    }

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    /// <summary>Test functions: one on <c>%TestQueue%</c>, one on its poison queue, each running <see cref="Handler"/>.</summary>
    public sealed class Functions
    {
        public Func<string, BinaryData, CancellationToken, Task> Handler { get; set; } = (_, _, _) => Task.CompletedTask;

        [FunctionName("TestQueueFunction")]
        public Task Run([QueueTrigger("%TestQueue%")] Azure.Storage.Queues.Models.QueueMessage message, CancellationToken ct) =>
            Handler("queue", message.Body, ct);

        [FunctionName("TestPoisonFunction")]
        public Task RunPoison([QueueTrigger("%TestQueue%-poison")] Azure.Storage.Queues.Models.QueueMessage message, CancellationToken ct) =>
            Handler("poison", message.Body, ct);
    }

    private sealed record Running(QueueTriggerHost Host, LogCapture Logs, ILoggerFactory LoggerFactory) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Host.StopAsync(CancellationToken.None);
            Host.Dispose();
            LoggerFactory.Dispose();
        }
    }

    private static async Task<Running> StartAsync(Functions functions, string connection, string queue, params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            [StorageNames.ConnectionSetting] = connection,
            ["TestQueue"] = queue,
            [$"{QueueTriggerHost.QueuesSection}:batchSize"] = "4",
            [$"{QueueTriggerHost.QueuesSection}:maxPollingInterval"] = "00:00:00.200",
            [$"{QueueTriggerHost.QueuesSection}:visibilityTimeout"] = "00:00:00",
            [$"{QueueTriggerHost.QueuesSection}:maxDequeueCount"] = "3",
            [$"{QueueTriggerHost.QueuesSection}:messageEncoding"] = "base64",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var logs = new LogCapture();
        var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        var host = new QueueTriggerHost(new JobHostFunctions(functions), configuration,
            new HostingEnvironment { EnvironmentName = "Development" }, loggerFactory, loggerFactory.CreateLogger<QueueTriggerHost>());
        await host.StartAsync(CancellationToken.None);
        return new Running(host, logs, loggerFactory);
    }

    private async Task<(QueueClient Queue, QueueClient Poison)> NewQueueAsync(string prefix)
    {
        var name = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        var queue = _storage.CreateQueueClient(name, QueueMessageEncoding.None);
        var poison = _storage.CreateQueueClient(name + "-poison", QueueMessageEncoding.None);
        await queue.CreateIfNotExistsAsync();
        return (queue, poison);
    }

    private static async Task<int> CountAsync(QueueClient queue) =>
        (await queue.ExistsAsync()).Value ? (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount : 0;

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task Trigger_HandlerSucceeds_DecodedBodyDeliveredOnceAndMessageDeleted()
    {
        var (queue, _) = await NewQueueAsync("ok");
        var seen = new ConcurrentBag<string>();
        var functions = new Functions { Handler = (_, body, _) => { seen.Add(body.ToString()); return Task.CompletedTask; } };
        await queue.SendMessageAsync(Base64("{\"hello\":\"wörld\"}"));

        await using (await StartAsync(functions, _azurite.ConnectionString, queue.Name))
        {
            await Eventually.TrueAsync(() => !seen.IsEmpty);
            await Eventually.TrueAsync(async () => await CountAsync(queue) == 0);
            await Task.Delay(600);
        }

        Assert.Equal(["{\"hello\":\"wörld\"}"], seen);
    }

    [Fact]
    public async Task Trigger_HandlerAlwaysThrows_TriedMaxDequeueCountTimesThenMovedToPoison()
    {
        var (queue, poison) = await NewQueueAsync("fail");
        var attempts = 0;
        var functions = new Functions
        {
            Handler = (source, _, ct) => source == "queue"
                ? throw new InvalidOperationException($"boom {Interlocked.Increment(ref attempts)}")
                : Task.Delay(Timeout.Infinite, ct), // the poison function holds its message
        };
        await queue.SendMessageAsync(Base64("payload"));

        await using (await StartAsync(functions, _azurite.ConnectionString, queue.Name))
        {
            await Eventually.TrueAsync(async () => await CountAsync(poison) == 1, message: () => $"attempts so far: {attempts}");
            await Task.Delay(1000);
        }

        Assert.Equal(3, attempts);
        Assert.Equal(0, await CountAsync(queue));
        Assert.Equal(1, await CountAsync(poison));
    }

    [Fact]
    public async Task Trigger_MessageNotBase64_MovedToPoisonWithoutRunningTheFunction()
    {
        var (queue, poison) = await NewQueueAsync("plain");
        var calls = new ConcurrentBag<string>();
        var functions = new Functions { Handler = (source, _, _) => { calls.Add(source); return Task.CompletedTask; } };
        await queue.SendMessageAsync("{\"plain\": json}");

        await using (await StartAsync(functions, _azurite.ConnectionString, queue.Name))
        {
            await Eventually.TrueAsync(async () => await CountAsync(poison) == 1 || !calls.IsEmpty);
            await Task.Delay(1000);
        }

        Assert.Empty(calls);
        Assert.Equal(0, await CountAsync(queue));
        Assert.Equal(1, await CountAsync(poison));
    }

    [Fact]
    public async Task Trigger_EncodingNone_FunctionGetsTheRawText()
    {
        var (queue, _) = await NewQueueAsync("none");
        var seen = new ConcurrentBag<string>();
        var functions = new Functions { Handler = (_, body, _) => { seen.Add(body.ToString()); return Task.CompletedTask; } };
        await queue.SendMessageAsync("{\"raw\":true}");

        await using (await StartAsync(functions, _azurite.ConnectionString, queue.Name, ($"{QueueTriggerHost.QueuesSection}:messageEncoding", "none")))
        {
            await Eventually.TrueAsync(() => !seen.IsEmpty);
        }

        Assert.Equal(["{\"raw\":true}"], seen);
    }

    [Fact]
    public async Task Trigger_ManyMessages_RunsUpToBatchSizeConcurrently()
    {
        var (queue, _) = await NewQueueAsync("batch");
        for (var i = 0; i < 12; i++)
        {
            await queue.SendMessageAsync(Base64(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        int running = 0, peak = 0, done = 0;
        var functions = new Functions
        {
            Handler = async (_, _, ct) =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref peak, now);
                await Task.Delay(300, ct);
                Interlocked.Decrement(ref running);
                Interlocked.Increment(ref done);
            },
        };

        await using (await StartAsync(functions, _azurite.ConnectionString, queue.Name, ($"{QueueTriggerHost.QueuesSection}:newBatchThreshold", "0")))
        {
            await Eventually.TrueAsync(() => Volatile.Read(ref done) == 12);
        }

        Assert.InRange(peak, 2, 4);
    }

    /// <summary>
    /// A queue whose name ends in -poison has no poison queue of its own: a message that fails there is
    /// left invisible for the rest of its 10-minute lease, then tried again, until it expires.
    /// </summary>
    [Fact]
    public async Task Trigger_FailingMessageOnAPoisonQueue_StaysThereHiddenAndIsNeverMovedOn()
    {
        var (queue, poison) = await NewQueueAsync("drain");
        await poison.CreateIfNotExistsAsync();
        var attempts = 0;
        var functions = new Functions
        {
            Handler = (source, _, _) => source == "poison"
                ? throw new InvalidOperationException($"drain failed {Interlocked.Increment(ref attempts)}")
                : Task.CompletedTask,
        };
        await poison.SendMessageAsync(Base64("letter"));

        await using (await StartAsync(functions, _azurite.ConnectionString, queue.Name))
        {
            await Eventually.TrueAsync(() => Volatile.Read(ref attempts) == 1);
            await Task.Delay(TimeSpan.FromSeconds(5));
        }

        Assert.Equal(1, attempts);
        Assert.Equal(1, await CountAsync(poison));
        Assert.Empty((await poison.PeekMessagesAsync()).Value);
        var poisonOfPoison = _storage.CreateQueueClient(poison.Name + "-poison", QueueMessageEncoding.None);
        Assert.False((await poisonOfPoison.ExistsAsync()).Value, "the listener made a poison queue for a poison queue");
    }

    [Fact]
    public async Task Trigger_QueueServiceUnreachableForAWhile_ListenerRestartedAndLaterMessagesRun()
    {
        var (queue, _) = await NewQueueAsync("outage");
        var seen = new ConcurrentBag<string>();
        var functions = new Functions { Handler = (_, body, _) => { seen.Add(body.ToString()); return Task.CompletedTask; } };
        await using var proxy = TcpProxy.Start(_azurite.QueuePort);
        var viaProxy = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteOptions.DevAccountKey};QueueEndpoint=http://127.0.0.1:{proxy.Port}/devstoreaccount1;";

        await using var running = await StartAsync(functions, viaProxy, queue.Name);
        await queue.SendMessageAsync(Base64("before"));
        await Eventually.TrueAsync(() => seen.Contains("before"));

        proxy.Break();
        await Eventually.TrueAsync(() => running.Logs.Entries.Any(e => e.Contains("starting a new one", StringComparison.Ordinal)),
            timeout: TimeSpan.FromSeconds(60));
        await queue.SendMessageAsync(Base64("during"));
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.DoesNotContain("during", seen);
        proxy.Restore();

        await Eventually.TrueAsync(() => seen.Contains("during"), timeout: TimeSpan.FromSeconds(90));
        Assert.Equal(["before", "during"], seen.Order(StringComparer.Ordinal));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
