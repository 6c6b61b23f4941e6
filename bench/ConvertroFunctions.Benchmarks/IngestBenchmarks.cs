using System.Net.Http.Headers;
using System.Text;
using Azure.Storage.Queues;
using ConvertroFunctions.Core.Queueing;

namespace ConvertroFunctions.Benchmarks;

/// <summary>POST /api/segment/{id} against the storage limit: the same queue written directly with the SDK.</summary>
internal sealed class IngestBenchmarks(Stack stack, HttpClient client, BenchSettings settings)
{
    /// <summary>CPU used during the raw and the ingest rounds, and how many events they handled.</summary>
    public (CpuProfile Cpu, double Events) RawCpu { get; private set; }

    public (CpuProfile Cpu, double Events) IngestCpu { get; private set; }

    /// <summary>Requests that did not get a 202, by status (or exception).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> Failures { get; } = new();

    /// <summary>
    /// Single events: ingest and the raw enqueue of the message ingest would write, in rounds that
    /// alternate which goes first. The ratio is the median of the rounds' own ratios, so a slow
    /// patch of the machine hits both sides of a pair.
    /// </summary>
    public async Task<(Throughput Raw, Throughput Ingest, double Ratio)> SingleEventsAsync()
    {
        await Load.ClosedLoopAsync(settings.Concurrency, settings.Warmup, n => RawEnqueueAsync(stack.Queue, "warm-raw", n));
        await Load.ClosedLoopAsync(settings.Concurrency, settings.Warmup, n => PostAsync(Events.Track(Events.Id("warm", n))));
        var pairs = new List<(Throughput Raw, Throughput Ingest)>();
        CpuProfile rawCpu = new(0, 0, 0), ingestCpu = new(0, 0, 0);
        double rawEvents = 0, ingestEvents = 0;
        for (var round = 0; round < settings.Rounds; round++)
        {
            var r = round;
            async Task<Throughput> Raw()
            {
                var (result, cpu) = await FreshQueue(() => Profiled(() => Load.ClosedLoopAsync(settings.Concurrency, settings.Duration, n => RawEnqueueAsync(stack.Queue, $"raw{r}", n))));
                rawCpu = rawCpu.Plus(cpu);
                rawEvents += result.EventsPerSecond * settings.Duration.TotalSeconds;
                return result;
            }
            async Task<Throughput> Ingest()
            {
                var (result, cpu) = await FreshQueue(() => Profiled(() => Load.ClosedLoopAsync(settings.Concurrency, settings.Duration, n => PostAsync(Events.Track(Events.Id($"single{r}", n))))));
                ingestCpu = ingestCpu.Plus(cpu);
                ingestEvents += result.EventsPerSecond * settings.Duration.TotalSeconds;
                return result;
            }
            if (round % 2 == 0)
            {
                var raw = await Raw();
                pairs.Add((raw, await Ingest()));
            }
            else
            {
                var ingest = await Ingest();
                pairs.Add((await Raw(), ingest));
            }
        }
        Console.WriteLine($"  CPU, raw enqueue: {rawCpu.PerEvent(rawEvents)}");
        Console.WriteLine($"  CPU, ingest: {ingestCpu.PerEvent(ingestEvents)}");
        RawCpu = (rawCpu, rawEvents);
        IngestCpu = (ingestCpu, ingestEvents);
        return (Median(pairs.Select(p => p.Raw)), Median(pairs.Select(p => p.Ingest)),
            Stats.Median(pairs.Select(p => p.Ingest.EventsPerSecond / p.Raw.EventsPerSecond)));
    }

    public Task<Throughput> BatchesAsync(int size) => FreshQueue(() =>
        Load.ClosedLoopAsync(Math.Max(2, settings.Concurrency / 4), settings.Duration, n => PostAsync(Events.Array(n, size, $"batch{size}"), size)));

    /// <summary>Open loop after one second of the same load (new connections to the fresh Azurite), which is not counted.</summary>
    public Task<Latency> LatencyAsync(double perSecond) => FreshQueue(async () =>
    {
        await Load.OpenLoopAsync(perSecond, TimeSpan.FromSeconds(1), n => PostAsync(Events.Track(Events.Id("latency-warm", n))));
        return await Load.OpenLoopAsync(perSecond, settings.Duration, n => PostAsync(Events.Track(Events.Id("latency", n))));
    });

    /// <summary>The same offered load written straight to the queue: Azurite's own latency, for comparison.</summary>
    public Task<Latency> RawLatencyAsync(double perSecond) => FreshQueue(async () =>
    {
        await Load.OpenLoopAsync(perSecond, TimeSpan.FromSeconds(1), n => RawEnqueueAsync(stack.Queue, "raw-latency-warm", n));
        return await Load.OpenLoopAsync(perSecond, settings.Duration, n => RawEnqueueAsync(stack.Queue, "raw-latency", n));
    });

    /// <summary>The CPU the measurement used (not the fresh-storage set-up before it).</summary>
    private static async Task<(T Result, CpuProfile Cpu)> Profiled<T>(Func<Task<T>> measure)
    {
        var before = CpuProfile.Sample();
        var result = await measure();
        return (result, CpuProfile.Sample().Minus(before));
    }

    /// <summary>Each measurement starts from an empty storage (<see cref="Stack.ResetStorageAsync"/>).</summary>
    private async Task<T> FreshQueue<T>(Func<Task<T>> measure)
    {
        await stack.ResetStorageAsync();
        return await measure();
    }

    /// <summary>What ingest writes for one event: its envelope, base64, as one message.</summary>
    public static async Task<int> RawEnqueueAsync(QueueClient queue, string prefix, long n)
    {
        var e = Encoding.UTF8.GetBytes(Events.Track(Events.Id(prefix, n)));
        var message = QueueMessagePacker.Pack(Stack.WorkspaceId, DateTimeOffset.UtcNow, [e])[0];
        await queue.SendMessageAsync(new BinaryData(message), timeToLive: TimeSpan.FromSeconds(-1));
        return 1;
    }

    /// <summary>A signed POST /api/segment/{id}; returns the events accepted (0 when it was not answered 202, counted in <see cref="Failures"/>).</summary>
    public async Task<int> PostAsync(string body, int events = 1)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/segment/{Stack.WorkspaceId}") { Content = content };
        request.Headers.Add("X-Signature", Events.Sign(body));
        try
        {
            using var response = await client.SendAsync(request);
            if ((int)response.StatusCode == 202)
            {
                return events;
            }
            Failures.AddOrUpdate(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
        }
        catch (HttpRequestException ex)
        {
            Failures.AddOrUpdate(ex.GetType().Name, 1, (_, n) => n + 1);
        }
        return 0;
    }

    private static Throughput Median(IEnumerable<Throughput> runs)
    {
        var sorted = runs.OrderBy(r => r.EventsPerSecond).ToList();
        return sorted[sorted.Count / 2];
    }
}
