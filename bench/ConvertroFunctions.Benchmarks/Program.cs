using ConvertroFunctions.Benchmarks;

// dotnet run -c Release --project bench/ConvertroFunctions.Benchmarks [-- --quick] [-- --output file.json]
var settings = BenchSettings.FromArgs(args);
var report = new Report { Quick = settings.Quick };

Console.WriteLine("Mapping (one core):");
var (mapped, bytesPerEvent, method) = MappingBenchmarks.Run(settings.Quick);
report.Add(new("Mapping, realistic mix, one core", mapped, "events/s", null, null, null, "≥ 1,000,000", mapped >= 1_000_000));
report.Add(new($"Mapping, allocated per event ({method})", bytesPerEvent, "bytes", null, null, null, "", null));
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

Console.WriteLine($"Delivery ({settings.DeliveryMessages:N0} single-event messages each run):");
var delivery = new DeliveryBenchmarks(stack, settings);
var (rawDrain, withLedger, withoutLedger, rssDelivering) = await delivery.CompareAsync();
report.Add(new("Raw receive + delete (median)", rawDrain, "msg/s", null, null, null, "", null));
report.Add(new("Delivery, idempotency off (median)", withoutLedger, "events/s", rawDrain, "raw drain", withoutLedger / rawDrain, "≥ 80%", withoutLedger >= 0.8 * rawDrain));
report.Add(new("Delivery, idempotency on (median)", withLedger, "events/s", rawDrain, "raw drain", withLedger / rawDrain, "≥ 80%", withLedger >= 0.8 * rawDrain));
report.Add(new("Idempotency cost per event (wall time, this machine)", (1 / withLedger - 1 / withoutLedger) * 1e6, "µs", null, null, null, "3 table transactions", null));
report.Add(new("LocalHost peak resident memory while delivering", rssDelivering / 1048576.0, "MB", null, null, null, "", null));

report.Print();
report.Write(settings.Output);
