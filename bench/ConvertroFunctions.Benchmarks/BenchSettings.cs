namespace ConvertroFunctions.Benchmarks;

/// <summary>
/// How long and how hard: the full run, or --quick (a CI smoke run whose figures mean little: one
/// round, shorter sets, and the paced measurement fixed at 3 s).
/// Delivery compares three drains in <see cref="DeliveryRounds"/> rounds (5, <c>BENCH_DELIVERY_ROUNDS</c>
/// changes it; the order rotates, so each drain takes each place at least once): LocalHost's CPU per
/// event moves by a fifth from one run to the next on 2 shared cores, and a median of five holds
/// better than one of three. Each run draining 1,000 single-event messages or 100 messages of 50
/// events: Azurite's receive slows as the queue deepens (it scans its in-memory queue), which
/// Azure's does not, so a deep queue would measure the emulator. The Table-request count posts
/// <see cref="CostArrays"/> arrays of 50 and <see cref="CostSingles"/> single events. Batched delivery
/// warms a fresh LocalHost with 40 arrays (<c>BENCH_WARMUP_ARRAYS</c> changes it) before its rate and
/// CPU are measured: a fresh process spends most of its first seconds compiling its code. Each of
/// those runs then delivers <see cref="SettlingSets"/> further sets (5; <c>BENCH_SETTLING_SETS</c>
/// changes it), the last <see cref="SettledSets"/> of which (3; <c>BENCH_SETTLED_SETS</c> changes it)
/// give LocalHost's settled CPU per event: one set of 5,000 events is about two seconds of CPU, and its
/// ratio moved from 1.1× to 1.8× between rounds of one run (docs/performance.md). Last, each run
/// queues one array every 50 / <see cref="PacedRate"/> seconds (1,000 events/s; <c>BENCH_PACED_RATE</c>)
/// for <see cref="PacedSeconds"/> (15; <c>BENCH_PACED_SECONDS</c>): LocalHost's CPU per event at the same
/// offered load on both sides, below what either side can drain here.
/// </summary>
internal sealed record BenchSettings(
    bool Quick, TimeSpan Duration, TimeSpan Warmup, int Rounds, int Concurrency, int DeliveryRounds, int DeliveryMessages, int DeliveryArrays, int WarmupArrays,
    int SettlingSets, int SettledSets, int PacedRate, int PacedSeconds, int CostArrays, int CostSingles, string Output)
{
    public static BenchSettings FromArgs(string[] args)
    {
        var quick = args.Contains("--quick");
        var output = args.SkipWhile(a => a != "--output").Skip(1).FirstOrDefault()
            ?? Path.Combine("artifacts", "benchmarks", quick ? "quick.json" : "latest.json");
        return quick
            ? new(true, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 1, 16, 1, 300, 20, 10, Setting("BENCH_SETTLING_SETS", 5, minimum: 1), Setting("BENCH_SETTLED_SETS", 3, minimum: 1), Setting("BENCH_PACED_RATE", 1_000, minimum: 50), 3, 4, 50, output)
            : new(false, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(3), 5, 16, Setting("BENCH_DELIVERY_ROUNDS", 5, minimum: 1), 1_000, 100,
                Setting("BENCH_WARMUP_ARRAYS", 40, minimum: 0), Setting("BENCH_SETTLING_SETS", 5, minimum: 1), Setting("BENCH_SETTLED_SETS", 3, minimum: 1),
                Setting("BENCH_PACED_RATE", 1_000, minimum: 50), Setting("BENCH_PACED_SECONDS", 15, minimum: 1), 20, 200, output);
    }

    private static int Setting(string name, int fallback, int minimum) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) && value >= minimum ? value : fallback;
}
