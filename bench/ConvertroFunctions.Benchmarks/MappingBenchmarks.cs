using System.Diagnostics;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.Workspaces;

namespace ConvertroFunctions.Benchmarks;

/// <summary>ConvertroMapper.Map over the realistic mix (events already parsed, as in delivery), one core.</summary>
[MemoryDiagnoser]
public class MappingBenchmarks
{
    public const int EventCount = 1000;

    private static readonly WorkspaceSettings Settings = new()
    {
        WorkspaceId = "bench", Account = "acme", ClientName = "Acme", SiteId = "1234", Domain = "acme.convertro.com",
        HybridAttributionModel = true,
    };

    private JsonDocument[] _documents = [];
    private readonly DateTimeOffset _receivedAt = DateTimeOffset.UtcNow;

    [GlobalSetup]
    public void Setup() => _documents = [.. Enumerable.Range(0, EventCount).Select(i => JsonDocument.Parse(Events.Mixed(i, Events.Id("map", i))))];

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var document in _documents)
        {
            document.Dispose();
        }
    }

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int MapMixedEvents()
    {
        var calls = 0;
        foreach (var document in _documents)
        {
            calls += ConvertroMapper.Map(document.RootElement, Settings, _receivedAt).Calls.Count;
        }
        return calls;
    }

    /// <returns>Events per second and bytes allocated per event.</returns>
    public static (double EventsPerSecond, double BytesPerEvent, string Method) Run(bool quick)
    {
        if (quick)
        {
            // CI smoke run: a plain timed loop, not BenchmarkDotNet (which takes minutes).
            var bench = new MappingBenchmarks();
            bench.Setup();
            bench.MapMixedEvents();
            var before = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            const int rounds = 200;
            for (var i = 0; i < rounds; i++)
            {
                bench.MapMixedEvents();
            }
            var seconds = watch.Elapsed.TotalSeconds;
            var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            bench.Cleanup();
            return (rounds * EventCount / seconds, (double)bytes / (rounds * EventCount), "timed loop (--quick)");
        }
        var summary = BenchmarkRunner.Run<MappingBenchmarks>(InProcess());
        var report = summary.Reports.Single();
        var nanoseconds = report.ResultStatistics!.Mean;
        var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
        return (1e9 / nanoseconds, allocated, "BenchmarkDotNet, in-process, 10 iterations");
    }

    /// <summary>The job of every BenchmarkDotNet figure here: in process, 3 warm-up and 10 measured iterations, allocations counted.</summary>
    internal static IConfig InProcess() => ManualConfig.CreateMinimumViable()
        .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(10))
        .AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default);
}
