using System.Diagnostics;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using ConvertroFunctions.Core.Segment;

namespace ConvertroFunctions.Benchmarks;

/// <summary>
/// What reading an array body's top level costs per event: cutting it into its events with the
/// tolerant scanner (<see cref="SegmentBody.Parse"/>, no event parsed), against parsing each event
/// in full (what the scanner must stay well under, since every event is parsed once anyway).
/// </summary>
public class SplitBenchmarks
{
    public const int EventCount = 1000;

    private byte[] _body = [];
    private byte[][] _events = [];

    /// <summary>The mean size of one event of the mix, in bytes.</summary>
    public double BytesPerEvent => (double)_events.Sum(e => e.Length) / _events.Length;

    [GlobalSetup]
    public void Setup()
    {
        var events = Enumerable.Range(0, EventCount).Select(i => Events.Mixed(i, Events.Id("split", i))).ToList();
        _events = [.. events.Select(Encoding.UTF8.GetBytes)];
        _body = Encoding.UTF8.GetBytes("[" + string.Join(',', events) + "]");
    }

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int Split()
    {
        SegmentBody.Parse(_body, int.MaxValue, out var body, out _);
        using (body)
        {
            return body!.Count;
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = EventCount)]
    public int ParseEach()
    {
        var members = 0;
        foreach (var e in _events)
        {
            using var document = JsonDocument.Parse(e);
            members += document.RootElement.GetPropertyCount();
        }
        return members;
    }

    /// <returns>Nanoseconds per event to split and to parse, and the mean event size.</returns>
    public static (double SplitNs, double ParseNs, double BytesPerEvent, string Method) Run(bool quick)
    {
        var bench = new SplitBenchmarks();
        bench.Setup();
        if (quick)
        {
            // CI smoke run: a plain timed loop, not BenchmarkDotNet (which takes minutes).
            return (Time(bench.Split), Time(bench.ParseEach), bench.BytesPerEvent, "timed loop (--quick)");
        }
        var summary = BenchmarkRunner.Run<SplitBenchmarks>(MappingBenchmarks.InProcess());
        double Mean(string method) => summary.Reports.Single(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method).ResultStatistics!.Mean;
        return (Mean(nameof(Split)), Mean(nameof(ParseEach)), bench.BytesPerEvent, "BenchmarkDotNet, in-process, 10 iterations");
    }

    private static double Time(Func<int> run)
    {
        // Half a second first, so the timed rounds run fully optimized code, not the first tier's.
        for (var warm = Stopwatch.StartNew(); warm.ElapsedMilliseconds < 500; )
        {
            run();
        }
        const int rounds = 200;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < rounds; i++)
        {
            run();
        }
        return watch.Elapsed.TotalNanoseconds / (rounds * EventCount);
    }
}
