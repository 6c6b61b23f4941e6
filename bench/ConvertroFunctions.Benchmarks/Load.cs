using System.Diagnostics;

namespace ConvertroFunctions.Benchmarks;

/// <summary>Load generators: closed loop (as fast as answers come) and open loop (a fixed offered rate).</summary>
internal static class Load
{
    /// <summary>
    /// <paramref name="concurrency"/> workers each run <paramref name="operation"/> back to back for
    /// <paramref name="duration"/>; the operation returns how many events it handled (0 = failed).
    /// </summary>
    public static async Task<Throughput> ClosedLoopAsync(int concurrency, TimeSpan duration, Func<long, Task<int>> operation)
    {
        long sequence = 0, events = 0, operations = 0, failures = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (watch.Elapsed < duration)
            {
                var done = await operation(Interlocked.Increment(ref sequence));
                Interlocked.Add(ref events, done);
                Interlocked.Increment(ref operations);
                if (done == 0)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));
        var seconds = watch.Elapsed.TotalSeconds;
        return new Throughput(events / seconds, operations / seconds, failures);
    }

    /// <summary>
    /// Starts one operation every 1/<paramref name="perSecond"/> s whatever the earlier ones are
    /// doing, and measures each from when it was due (so a stall counts against every request it delays).
    /// </summary>
    public static async Task<Latency> OpenLoopAsync(double perSecond, TimeSpan duration, Func<long, Task<int>> operation)
    {
        var interval = TimeSpan.FromSeconds(1 / perSecond);
        var count = (int)(duration.TotalSeconds * perSecond);
        var latencies = new double[count];
        var tasks = new Task[count];
        long failures = 0;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var due = interval * i;
            var wait = due - watch.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }
            var index = i;
            tasks[i] = Task.Run(async () =>
            {
                if (await operation(index) == 0)
                {
                    Interlocked.Increment(ref failures);
                }
                latencies[index] = (watch.Elapsed - due).TotalMilliseconds;
            });
        }
        await Task.WhenAll(tasks);
        Array.Sort(latencies);
        return new Latency(perSecond, Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99), latencies[^1], failures);
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}

internal sealed record Throughput(double EventsPerSecond, double OperationsPerSecond, long Failures);

internal sealed record Latency(double OfferedPerSecond, double P50Ms, double P95Ms, double P99Ms, double MaxMs, long Failures);

internal static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
