using ConvertroFunctions.Fakes;

namespace ConvertroFunctions.Benchmarks;

/// <summary>
/// Draining a pre-filled segment-events queue: LocalHost delivering to the fake Convertro with the
/// idempotency ledger on and off, against a raw drain of the same queue, side by side in rotating
/// order (medians over rounds). Two comparisons:
/// <list type="bullet">
/// <item>single-event messages (information): the raw drain only receives and deletes with the SDK;</item>
/// <item>Segment arrays of 50 packed as ingest packs them: the raw drain is <see cref="RawDelivery"/>,
/// the least work delivery must do (receive, one GET per event, delete; no table access).</item>
/// </list>
/// LocalHost is started after the fill and timed from the first call the fake Convertro receives to
/// the last (start-up excluded); the batch raw drain is timed the same way, and in the batch
/// comparison both leave out the warm-up calls. Each run prints the CPU the stack used per event.
/// </summary>
internal sealed class DeliveryBenchmarks(Stack stack, BenchSettings settings)
{
    /// <summary>
    /// Medians of the raw drain and of delivery with the ledger on and off, LocalHost's peak memory, and
    /// the medians of LocalHost's own CPU per event with the ledger on and off (µs): in the timed window
    /// right after the warm-up (<see cref="OnCpu"/>, <see cref="OffCpu"/>), and, for arrays, once the
    /// process has settled (<see cref="OnSettledCpu"/>, <see cref="OffSettledCpu"/>; NaN for single events).
    /// </summary>
    public sealed record Comparison(double Raw, double On, double Off, long PeakResidentBytes, double OnCpu, double OffCpu,
        double OnSettledCpu = double.NaN, double OffSettledCpu = double.NaN, double OnSettledWithoutJit = double.NaN, double OffSettledWithoutJit = double.NaN,
        Paced? OnPaced = null, Paced? OffPaced = null);

    /// <summary>
    /// LocalHost's CPU per event (µs) while arrays arrive at a fixed rate (<see cref="BenchSettings.PacedRate"/>), the same
    /// on both sides: in all (<see cref="Total"/>) and without its tiered-compilation thread (<see cref="WithoutJit"/>);
    /// the rate the arrays were actually queued at (<see cref="QueuedRate"/>: the schedule slips when the harness
    /// cannot keep it) and <see cref="LagSeconds"/> from the last array queued to its last call (near 0: delivery kept up).
    /// For a comparison's summary: the medians of the runs' CPU figures, the lowest rate and the longest lag.
    /// </summary>
    public sealed record Paced(double Total, double WithoutJit, double QueuedRate, double LagSeconds);

    /// <summary>
    /// One drain: its rate, the CPU the stack used while draining <paramref name="CpuEvents"/> events (for
    /// LocalHost, the timed ones, after its warm-up: a fresh process JIT-compiles its code first), LocalHost's
    /// peak memory (0 for a raw drain).
    /// </summary>
    private sealed record Run(double Rate, CpuProfile Cpu, int CpuEvents, long PeakResidentBytes = 0, double SettledCpuPerEvent = double.NaN,
        double SettledJitPerEvent = double.NaN, Paced? Paced = null)
    {
        public double SettledWithoutJit => SettledCpuPerEvent - SettledJitPerEvent;
    }

    /// <summary>Single-event messages; the raw drain's figure is messages (= events) received and deleted per second.</summary>
    public Task<Comparison> SingleEventsAsync() =>
        CompareAsync("", settings.DeliveryMessages, 0, prefix => Backlog.SinglesAsync(stack, prefix, settings.DeliveryMessages), null, RawReceiveDeleteAsync);

    /// <summary>
    /// Messages packed from arrays of 50 as ingest packs them; the first <see cref="BenchSettings.WarmupArrays"/>
    /// arrays' worth of calls are not timed (a fresh LocalHost's JIT, pools and connections, while
    /// the raw drain runs in this warm process). Every figure is events per second.
    /// </summary>
    public Task<Comparison> ArraysAsync()
    {
        var (events, warmup) = (settings.DeliveryArrays * Backlog.ArraySize, settings.WarmupArrays * Backlog.ArraySize);
        Func<string, Task> prefill = prefix => Backlog.ArraysAsync(stack, prefix, settings.WarmupArrays + settings.DeliveryArrays);
        Func<string, int, int, Task> refill = (prefix, first, count) => Backlog.ArraysAsync(stack, prefix, count, first, reset: false);
        return CompareAsync("array-", events, warmup, prefill, refill, async prefix =>
        {
            var before = CpuProfile.Sample();
            await new RawDelivery(stack).DrainAsync(warmup + events);
            var cpu = CpuProfile.Sample().Minus(before);
            return new(Rate(await stack.WaitForCallsAsync(prefix, warmup + events, () => "the raw drain"), warmup), cpu, warmup + events);
        });
    }

    /// <param name="warmup">Events delivered before the timed ones (the first calls Convertro receives).</param>
    /// <param name="refill">When set, queues arrays (prefix, number of the first, count) after the first
    /// drain: each LocalHost run then queues <see cref="BenchSettings.SettlingSets"/> further sets of
    /// <paramref name="events"/>, each once it has drained the one before and settled (the last
    /// <see cref="BenchSettings.SettledSets"/> give its settled CPU), then arrays at a fixed pace (<see cref="Paced"/>).</param>
    private async Task<Comparison> CompareAsync(string kind, int events, int warmup, Func<string, Task> prefill, Func<string, int, int, Task>? refill,
        Func<string, Task<Run>> rawDrain)
    {
        var runs = new Dictionary<string, List<Run>> { ["raw"] = [], ["on"] = [], ["off"] = [] };
        var drains = new (string Name, Func<string, Task<Run>> Drain)[]
        {
            ("raw", rawDrain),
            ("on", prefix => LocalHostDrainAsync(prefix, events, warmup, refill, idempotency: true)),
            ("off", prefix => LocalHostDrainAsync(prefix, events, warmup, refill, idempotency: false)),
        };
        for (var round = 0; round < settings.DeliveryRounds; round++)
        {
            for (var i = 0; i < drains.Length; i++)
            {
                var (name, drain) = drains[(i + round) % drains.Length];
                var prefix = $"{kind}{name}{round}";
                await prefill(prefix);
                var run = await drain(prefix);
                runs[name].Add(run);
                var settled = double.IsNaN(run.SettledCpuPerEvent) ? ""
                    : $"; settled: LocalHost {run.SettledCpuPerEvent:F0} µs per event, {run.SettledWithoutJit:F0} without its JIT thread";
                if (run.Paced is { } paced)
                {
                    settled += $"; at {settings.PacedRate:N0} events/s (queued at {paced.QueuedRate:N0}/s): {paced.Total:F0} µs per event, "
                        + $"{paced.WithoutJit:F0} without its JIT thread, last call {paced.LagSeconds:F1} s after the last array";
                }
                Console.WriteLine($"  round {round + 1}, {name}: {run.Rate:N0}/s; CPU {run.Cpu.PerEvent(run.CpuEvents)}{settled}");
            }
        }
        double Median(string name) => Stats.Median(runs[name].Select(r => r.Rate));
        double CpuPerEvent(string name) => Stats.Median(runs[name].Select(r => r.Cpu.LocalHost / r.CpuEvents * 1e6));
        double Settled(string name, Func<Run, double> figure) => refill is null ? double.NaN : Stats.Median(runs[name].Select(figure));
        Paced? MedianPaced(string name) => refill is null ? null
            : new(Settled(name, r => r.Paced!.Total), Settled(name, r => r.Paced!.WithoutJit), runs[name].Min(r => r.Paced!.QueuedRate),
                runs[name].Max(r => r.Paced!.LagSeconds));
        return new(Median("raw"), Median("on"), Median("off"), runs.Values.SelectMany(r => r).Max(r => r.PeakResidentBytes),
            CpuPerEvent("on"), CpuPerEvent("off"), Settled("on", r => r.SettledCpuPerEvent), Settled("off", r => r.SettledCpuPerEvent),
            Settled("on", r => r.SettledWithoutJit), Settled("off", r => r.SettledWithoutJit), MedianPaced("on"), MedianPaced("off"));
    }

    /// <summary>Receive up to 32 at a time and delete each, with 4 pollers; messages per second.</summary>
    private async Task<Run> RawReceiveDeleteAsync(string prefix)
    {
        long drained = 0;
        var before = CpuProfile.Sample();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, RawDelivery.Pollers).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Read(ref drained) < settings.DeliveryMessages)
            {
                var messages = (await stack.Queue.ReceiveMessagesAsync(RawDelivery.BatchSize, TimeSpan.FromMinutes(5))).Value;
                await Task.WhenAll(messages.Select(m => stack.Queue.DeleteMessageAsync(m.MessageId, m.PopReceipt)));
                Interlocked.Add(ref drained, messages.Length);
            }
        })));
        return new(drained / watch.Elapsed.TotalSeconds, CpuProfile.Sample().Minus(before), settings.DeliveryMessages);
    }

    /// <summary>
    /// Starts LocalHost on the filled queue and times its delivery from the first call Convertro
    /// receives to the last; CPU is counted once the warm-up's calls are in (single events: from when
    /// it is healthy, start-up excluded). With <paramref name="refill"/>, the run then waits until
    /// LocalHost has settled (<see cref="SettleAsync"/>), queues a further set, and repeats: the runtime
    /// recompiles hot code in waves (quick JIT, then an instrumented tier, then optimised with the
    /// profile it gathered), and each wave waits for a pause and for enough calls. LocalHost's CPU for
    /// the last sets (<see cref="BenchSettings.SettledSets"/>) is the cost an instance that has been running
    /// for a while pays per event (docs/performance.md, "Method"). The profile covers the last set when there is one.
    /// </summary>
    private async Task<Run> LocalHostDrainAsync(string prefix, int events, int warmup, Func<string, int, int, Task>? refill, bool idempotency)
    {
        await using var host = await stack.StartLocalHostAsync(deliver: true, idempotency);
        if (warmup > 0)
        {
            await stack.WaitForCallsAsync(prefix, warmup, () => host.Output);
        }
        var before = CpuProfile.Sample();
        List<RecordedRequest> calls;
        CpuProfile cpu;
        await using (var trace = await Profiler.StartAsync(host.Id, refill is null ? prefix : prefix + "-fresh"))
        {
            calls = await stack.WaitForCallsAsync(prefix, warmup + events, () => host.Output);
            cpu = CpuProfile.Sample().Minus(before);
        }
        // LocalHost's CPU while it delivers each of the last SettledSets sets (its idle waits between them excluded).
        double settledSeconds = 0, settledJit = 0;
        var firstMeasured = settings.SettlingSets - Math.Min(settings.SettledSets, settings.SettlingSets) + 1;
        for (var set = 1; refill is not null && set <= settings.SettlingSets; set++)
        {
            await SettleAsync();
            await using var trace = set == settings.SettlingSets ? await Profiler.StartAsync(host.Id, prefix) : null;
            var settled = CpuProfile.Sample();
            await refill(prefix, settings.WarmupArrays + set * settings.DeliveryArrays + 1, settings.DeliveryArrays);
            await stack.WaitForCallsAsync(prefix, warmup + (1 + set) * events, () => host.Output);
            if (set >= firstMeasured)
            {
                var used = CpuProfile.Sample().Minus(settled);
                settledSeconds += used.LocalHost;
                settledJit += used.LocalHostJit;
            }
        }
        var settledEvents = (settings.SettlingSets - firstMeasured + 1) * events;
        var settledCpu = refill is null ? double.NaN : settledSeconds / settledEvents * 1e6;
        var paced = refill is null ? null : await PacedAsync(prefix, warmup + (1 + settings.SettlingSets) * events, host, refill);
        return new(Rate(calls, warmup), cpu, events, host.PeakResidentBytes, settledCpu, settledJit / settledEvents * 1e6, paced);
    }

    /// <summary>
    /// The same offered load on both sides: once LocalHost has settled, its CPU while one array is
    /// queued every 50 / <see cref="BenchSettings.PacedRate"/> seconds for <see cref="BenchSettings.PacedSeconds"/>,
    /// until the last call is in. A drain at full speed measures each side at its own utilisation:
    /// without the ledger LocalHost is the bottleneck and costs less per event (its workers always find
    /// work, its I/O comes in batches); with it, on this machine, the emulator sharing its two cores is,
    /// and LocalHost waits (docs/performance.md, "Where the spread came from").
    /// </summary>
    private async Task<Paced> PacedAsync(string prefix, int delivered, LocalHostProcess host, Func<string, int, int, Task> refill)
    {
        await SettleAsync();

        var arrays = (int)Math.Max(1, settings.PacedRate * settings.PacedSeconds / Backlog.ArraySize);
        var interval = TimeSpan.FromSeconds((double)Backlog.ArraySize / settings.PacedRate);
        var first = delivered / Backlog.ArraySize + 1;
        await using var trace = await Profiler.StartAsync(host.Id, prefix + "-paced");
        var before = CpuProfile.Sample();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < arrays; i++)
        {
            if (interval * i - watch.Elapsed is { Ticks: > 0 } wait)
            {
                await Task.Delay(wait);
            }
            await refill(prefix, first + i, 1);
        }
        var queued = DateTimeOffset.UtcNow;
        // Arrays queued per second, from the first array to the last (one array: the rate asked for).
        var queuedRate = arrays > 1 ? (arrays - 1) * Backlog.ArraySize / watch.Elapsed.TotalSeconds : settings.PacedRate;
        var calls = await stack.WaitForCallsAsync(prefix, delivered + arrays * Backlog.ArraySize, () => host.Output);
        var used = CpuProfile.Sample().Minus(before);
        var events = arrays * Backlog.ArraySize;
        return new(used.LocalHost / events * 1e6, used.LocalHostWithoutJit / events * 1e6, queuedRate, (calls.Max(r => r.At) - queued).TotalSeconds);
    }

    /// <summary>
    /// Waits (at most 30 s) until LocalHost, idle on an empty queue, uses under 2% of a core for a
    /// whole second: the runtime's tiered compilation has then finished the wave of recompilation the
    /// last set started (it waits for a pause in new compilations before it begins one).
    /// </summary>
    private static async Task SettleAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var last = CpuProfile.Sample().LocalHost;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(1000);
            var now = CpuProfile.Sample().LocalHost;
            if (now - last < 0.02)
            {
                return;
            }
            last = now;
        }
        Console.WriteLine("  (LocalHost did not settle within 30 s; measuring anyway)");
    }

    /// <summary>Events per second from the call after the <paramref name="warmup"/> first to the last (one call per event).</summary>
    private static double Rate(List<RecordedRequest> calls, int warmup) =>
        (calls.Count - 1 - warmup) / (calls[^1].At - calls[warmup].At).TotalSeconds;
}
