using ConvertroFunctions.Benchmarks;

// dotnet run -c Release --project bench/ConvertroFunctions.Benchmarks [-- --quick] [-- --output file.json]
var settings = BenchSettings.FromArgs(args);
var report = new Report { Quick = settings.Quick };

Console.WriteLine("Mapping (one core):");
var (mapped, bytesPerEvent, method) = MappingBenchmarks.Run(settings.Quick);
report.Add(new("Mapping, realistic mix, one core", mapped, "events/s", null, null, null, "≥ 1,000,000", mapped >= 1_000_000));
report.Add(new($"Mapping, allocated per event ({method})", bytesPerEvent, "bytes", null, null, null, "", null));
Console.WriteLine("Splitting an array body (one core):");
var (splitNs, parseNs, eventBytes, splitMethod) = SplitBenchmarks.Run(settings.Quick);
report.Add(new($"Parsing one {eventBytes:N0}-byte event in full ({splitMethod})", parseNs, "ns", null, null, null, "", null));
report.Add(new("Splitting an array, per event (JsonScanner)", splitNs, "ns", parseNs, "full parse", splitNs / parseNs, "≤ 50%", splitNs <= parseNs / 2));
if (args.Contains("--mapping-only"))
{
    report.Print();
    return;
}
var ingestOnly = args.Contains("--ingest-only");

await using var stack = await Stack.StartAsync();
Console.WriteLine("Ingest (LocalHost with delivery paused):");
if (!args.Contains("--delivery-only"))
await using (var host = await stack.StartLocalHostAsync(deliver: false, idempotency: true))
{
    var ingest = new IngestBenchmarks(stack, host.Client, settings);
    var (raw, single, ratio) = await ingest.SingleEventsAsync();
    var c = settings.Concurrency;
    report.Add(new($"Raw Azurite enqueue, {c} concurrent (median)", raw.EventsPerSecond, "msg/s", null, null, null, "", null));
    report.Add(new($"Ingest, single events, {c} concurrent (median)", single.EventsPerSecond, "events/s",
        raw.EventsPerSecond, "raw enqueue", ratio, "≥ 90%", ratio >= 0.9));
    foreach (var (label, (cpu, events)) in new[] { ("raw enqueue", ingest.RawCpu), ("ingest", ingest.IngestCpu) })
    {
        report.Add(new($"CPU per single event, {label} ({cpu.PerEvent(events).Replace(" per event", "")})", cpu.TotalMicrosecondsPer(events), "µs", null, null, null, "", null));
    }
    foreach (var size in new[] { 100, 1000 })
    {
        var batches = await ingest.BatchesAsync(size);
        report.Add(new($"Ingest, batches of {size}", batches.EventsPerSecond, "events/s",
            raw.EventsPerSecond, "raw enqueue", batches.EventsPerSecond / raw.EventsPerSecond, "≥ 10×", batches.EventsPerSecond >= 10 * raw.EventsPerSecond));
    }
    var latency = await ingest.LatencyAsync(single.EventsPerSecond / 2);
    var rawLatency = await ingest.RawLatencyAsync(single.EventsPerSecond / 2);
    report.Add(new($"Ingest latency p50 at {latency.OfferedPerSecond:N0}/s (half of max)", latency.P50Ms, "ms", rawLatency.P50Ms, "raw enqueue", null, "", null));
    report.Add(new("Ingest latency p95", latency.P95Ms, "ms", rawLatency.P95Ms, "raw enqueue", null, "", null));
    report.Add(new("Ingest latency p99", latency.P99Ms, "ms", rawLatency.P99Ms, "raw enqueue", null, "< 100 ms", latency.P99Ms < 100));
    report.Add(new("Ingest latency max", latency.MaxMs, "ms", rawLatency.MaxMs, "raw enqueue", null, "", null));
    report.Add(new("LocalHost peak resident memory under ingest", host.PeakResidentBytes / 1048576.0, "MB", null, null, null, "< 300 MB", host.PeakResidentBytes < 300L * 1048576));
    var failed = ingest.Failures.Values.Sum();
    if (failed > 0)
    {
        Console.WriteLine("LocalHost's last output lines:\n" + string.Join('\n', host.Output.Split('\n').TakeLast(40)));
    }
    report.Add(new("Ingest requests not answered 202" + (failed > 0 ? $" ({string.Join(", ", ingest.Failures.Select(f => $"{f.Key}×{f.Value}"))})" : ""),
        failed, "requests", null, null, null, "0", failed == 0));
}

if (ingestOnly)
{
    report.Print();
    return;
}

if (!args.Contains("--cost-only"))
{
var delivery = new DeliveryBenchmarks(stack, settings);
var batchedOnly = args.Contains("--batched-only"); // the batched comparison alone (with BENCH_PROFILE_DIR: a CPU profile of it)
var singles = new DeliveryBenchmarks.Comparison(double.NaN, double.NaN, double.NaN, 0, double.NaN, double.NaN);
if (!batchedOnly)
{
Console.WriteLine($"Delivery, single events ({settings.DeliveryMessages:N0} messages each run; information):");
singles = await delivery.SingleEventsAsync();
report.Add(new("Single: raw receive + delete (median)", singles.Raw, "msg/s", null, null, null, "", null));
report.Add(new("Single: delivery, idempotency off (median)", singles.Off, "events/s", singles.Raw, "raw drain", singles.Off / singles.Raw, "", null));
report.Add(new("Single: delivery, idempotency on (median)", singles.On, "events/s", singles.Raw, "raw drain", singles.On / singles.Raw, "", null));
report.Add(new("Single: idempotency wall time per event", (1 / singles.On - 1 / singles.Off) * 1e6, "µs", null, null, null, "", null));
}

var batchedEvents = settings.DeliveryArrays * Backlog.ArraySize;
Console.WriteLine($"Delivery, batched (arrays of {Backlog.ArraySize} packed as ingest packs them; each run "
    + $"{settings.WarmupArrays} arrays of warm-up, then {settings.DeliveryArrays} arrays = {batchedEvents:N0} events timed):");
var batched = await delivery.ArraysAsync();
report.Add(new("Batched: raw drain + Convertro GETs (median)", batched.Raw, "events/s", null, null, null, "", null));
report.Add(new("Batched: delivery, idempotency off (median)", batched.Off, "events/s", batched.Raw, "raw drain", batched.Off / batched.Raw, "", null));
report.Add(new("Batched: delivery, idempotency on (median)", batched.On, "events/s", batched.Raw, "raw drain", batched.On / batched.Raw, "", null)); // the 80% target was withdrawn (issue 20): on 2 shared cores it measures the emulator
report.Add(new("Batched: idempotency wall time per event", (1 / batched.On - 1 / batched.Off) * 1e6, "µs", null, null, null, "", null));
report.Add(new("Batched: LocalHost CPU per event, idempotency on, fresh process (median)", batched.OnCpu, "µs", batched.OffCpu, "idempotency off",
    batched.OnCpu / batched.OffCpu, "", null));
// The issue-20 target (≤ 1.5×) is judged at the same offered load on both sides (docs/performance.md,
// "Where the spread came from"); the full-speed drain's figure measures each side at its own utilisation.
report.Add(new("Batched: LocalHost CPU per event, idempotency on, settled, draining at full speed (median)", batched.OnSettledCpu, "µs", batched.OffSettledCpu, "idempotency off",
    batched.OnSettledCpu / batched.OffSettledCpu, "", null));
report.Add(new("Batched: the same at full speed, without LocalHost's JIT thread (median)", batched.OnSettledWithoutJit, "µs", batched.OffSettledWithoutJit, "idempotency off",
    batched.OnSettledWithoutJit / batched.OffSettledWithoutJit, "", null));
if (batched is { OnPaced: { } onPaced, OffPaced: { } offPaced })
{
    report.Add(new($"Batched: LocalHost CPU per event, idempotency on, settled, at {settings.PacedRate:N0} events/s (median)", onPaced.Total, "µs", offPaced.Total, "idempotency off",
        onPaced.Total / offPaced.Total, "≤ 1.5×", onPaced.Total <= 1.5 * offPaced.Total));
    report.Add(new($"Batched: the same at {settings.PacedRate:N0} events/s, without LocalHost's JIT thread (median)", onPaced.WithoutJit, "µs", offPaced.WithoutJit, "idempotency off",
        onPaced.WithoutJit / offPaced.WithoutJit, "", null));
    // The schedule can slip (the harness shares the cores); the rate actually offered and how far delivery fell behind.
    report.Add(new($"Batched: arrays actually queued at (slowest run; asked {settings.PacedRate:N0}/s)", Math.Min(onPaced.QueuedRate, offPaced.QueuedRate), "events/s",
        null, null, null, "", null));
    report.Add(new("Batched: last call after the last array queued (longest run), idempotency on", onPaced.LagSeconds, "s", offPaced.LagSeconds, "idempotency off",
        null, "", null));
}
report.Add(new("LocalHost peak resident memory while delivering", Math.Max(singles.PeakResidentBytes, batched.PeakResidentBytes) / 1048576.0, "MB", null, null, null, "", null));
}

if (args.Contains("--batched-only"))
{
    report.Print();
    report.Write(settings.Output);
    return;
}

Console.WriteLine("Table requests per event (LocalHost in process; idempotency on, lease 120 s, Stats__FlushSeconds=60; not timed):");
var cost = await new TableRequestCost(stack, settings).MeasureAsync();
report.Add(new("Single: Table requests (Stats flush 60 s)", cost.Singles, "per event", null, null, null, "≤ 2.0", cost.Singles <= 2.0));
report.Add(new("Batched: Table requests (Stats flush 60 s)", cost.Arrays, "per event", null, null, null, "≤ 0.05", cost.Arrays <= 0.05));
report.Add(new("Batched, received by Segment yesterday: Table requests", cost.Yesterday, "per event", null, null, null, "≤ 0.1", cost.Yesterday <= 0.1));
report.Add(new("Batched, received by Segment a month ago: Table requests", cost.LastMonth, "per event", null, null, null, "≤ 0.1", cost.LastMonth <= 0.1));
var perBacklog = await new TableRequestCost(stack, settings).BacklogAsync();
report.Add(new("Batched backlog drain: Table requests (Stats flush 60 s)", perBacklog, "per event", null, null, null, "≤ 1.0", perBacklog <= 1.0));
var slowBacklog = await new TableRequestCost(stack, settings).BacklogAsync(TimeSpan.FromMilliseconds(150));
report.Add(new("Batched backlog drain, Convertro answering in 150 ms: Table requests", slowBacklog, "per event", perBacklog, "instant Convertro",
    slowBacklog / perBacklog, "≤ 0.1", slowBacklog <= 0.1));

report.Print();
report.Write(settings.Output);
