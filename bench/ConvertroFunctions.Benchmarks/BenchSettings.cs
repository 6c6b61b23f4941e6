namespace ConvertroFunctions.Benchmarks;

/// <summary>
/// How long and how hard: the full run, or --quick (a CI smoke run whose figures mean little).
/// Delivery drains 1,000 messages per run: Azurite's receive slows as the queue deepens (it scans
/// its in-memory queue), which Azure's does not, so a deep queue would measure the emulator.
/// </summary>
internal sealed record BenchSettings(
    bool Quick, TimeSpan Duration, TimeSpan Warmup, int Rounds, int Concurrency, int DeliveryMessages, string Output)
{
    public static BenchSettings FromArgs(string[] args)
    {
        var quick = args.Contains("--quick");
        var output = args.SkipWhile(a => a != "--output").Skip(1).FirstOrDefault()
            ?? Path.Combine("artifacts", "benchmarks", quick ? "quick.json" : "latest.json");
        return quick
            ? new(true, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 1, 16, 300, output)
            : new(false, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(3), 5, 16, 1_000, output);
    }
}
