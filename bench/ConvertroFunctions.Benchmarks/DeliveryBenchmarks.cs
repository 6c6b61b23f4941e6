using System.Diagnostics;
using ConvertroFunctions.Fakes;

namespace ConvertroFunctions.Benchmarks;

/// <summary>
/// Draining a pre-filled segment-events queue: LocalHost delivering to the fake Convertro, against
/// the raw receive + delete rate of the same queue with the SDK.
/// </summary>
internal sealed class DeliveryBenchmarks(Stack stack, BenchSettings settings)
{
    /// <summary>Raw drain, delivery with and without the idempotency ledger, in rotating order; medians.</summary>
    public async Task<(double Raw, double On, double Off, long PeakResidentBytes)> CompareAsync()
    {
        var raw = new List<double>();
        var on = new List<double>();
        var off = new List<double>();
        long peak = 0;
        for (var round = 0; round < settings.Rounds; round++)
        {
            var steps = new Func<Task>[]
            {
                async () => raw.Add(await RawDrainAsync($"raw{round}")),
                async () => { var (rate, rss) = await LocalHostDrainAsync($"on{round}", idempotency: true); on.Add(rate); peak = Math.Max(peak, rss); },
                async () => off.Add((await LocalHostDrainAsync($"off{round}", idempotency: false)).EventsPerSecond),
            };
            for (var i = 0; i < steps.Length; i++)
            {
                await steps[(i + round) % steps.Length]();
            }
        }
        return (Stats.Median(raw), Stats.Median(on), Stats.Median(off), peak);
    }

    /// <summary>Receive up to 32 at a time and delete each, with as many pollers as LocalHost's listener uses.</summary>
    public async Task<double> RawDrainAsync(string prefix)
    {
        await PrefillAsync(prefix);
        long drained = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Read(ref drained) < settings.DeliveryMessages)
            {
                var messages = (await stack.Queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
                await Task.WhenAll(messages.Select(m => stack.Queue.DeleteMessageAsync(m.MessageId, m.PopReceipt)));
                Interlocked.Add(ref drained, messages.Length);
            }
        })));
        return drained / watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Pre-fills the queue, then starts LocalHost and times its delivery from the first call
    /// Convertro receives to the last (start-up is not counted).
    /// </summary>
    public async Task<(double EventsPerSecond, long PeakResidentBytes)> LocalHostDrainAsync(string prefix, bool idempotency)
    {
        await PrefillAsync(prefix);
        await using var host = await stack.StartLocalHostAsync(deliver: true, idempotency);
        List<RecordedRequest> calls = [];
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while ((calls = Calls(prefix)).Count < settings.DeliveryMessages)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"LocalHost delivered {calls.Count} of {settings.DeliveryMessages} events in 10 minutes:\n{host.Output}");
            }
            await Task.Delay(100);
        }
        var seconds = (calls[^1].At - calls[0].At).TotalSeconds;
        return ((calls.Count - 1) / seconds, host.PeakResidentBytes);
    }

    private List<RecordedRequest> Calls(string prefix) =>
        [.. stack.Convertro.RequestsFor(Stack.ClientName).Where(r => r.EventId?.StartsWith(prefix + "-", StringComparison.Ordinal) == true).OrderBy(r => r.At)];

    private async Task PrefillAsync(string prefix)
    {
        await stack.ResetStorageAsync();
        long next = 0;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            long n;
            while ((n = Interlocked.Increment(ref next)) <= settings.DeliveryMessages)
            {
                await IngestBenchmarks.RawEnqueueAsync(stack.Queue, prefix, n);
            }
        })));
    }
}
