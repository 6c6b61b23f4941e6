using System.Diagnostics;
using System.Globalization;

namespace ConvertroFunctions.Benchmarks;

/// <summary>
/// With <c>BENCH_PROFILE_DIR</c> set, each LocalHost delivery run is sampled on CPU by Linux
/// <c>perf</c> (Debian's linux-perf; LocalHost then writes its JIT symbol map, DOTNET_PerfMapEnabled)
/// while it drains, into <c>{dir}/{run}.perf.data</c> (batched runs: <c>{run}-fresh.perf.data</c> for the
/// window after the warm-up, <c>{run}.perf.data</c> for the last settled set, <c>{run}-paced.perf.data</c> for the paced window); <c>tools/profile/top-frames.sh</c> lists the
/// frames that used the most CPU (docs/performance.md, "What profiling found"). Unset: does nothing.
/// </summary>
internal sealed class Profiler : IAsyncDisposable
{
    public const string Setting = "BENCH_PROFILE_DIR";

    private readonly Process? _perf;

    private Profiler(Process? perf) => _perf = perf;

    public static bool On => Environment.GetEnvironmentVariable(Setting) is { Length: > 0 };

    public static async Task<Profiler> StartAsync(int processId, string run)
    {
        if (Environment.GetEnvironmentVariable(Setting) is not { Length: > 0 } dir)
        {
            return new Profiler(null);
        }
        Directory.CreateDirectory(dir);
        var start = new ProcessStartInfo("perf") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "record", "-e", "cpu-clock", "-F", "499", "-g", "-p", processId.ToString(CultureInfo.InvariantCulture),
                     "-o", Path.Combine(dir, run + ".perf.data") })
        {
            start.ArgumentList.Add(arg);
        }
        var perf = Process.Start(start)!;
        _ = perf.StandardOutput.ReadToEndAsync();
        _ = perf.StandardError.ReadToEndAsync();
        await Task.Delay(200); // attached
        return new Profiler(perf);
    }

    public async ValueTask DisposeAsync()
    {
        if (_perf is null)
        {
            return;
        }
        Interrupt(_perf.Id); // perf writes its file on SIGINT
        await _perf.WaitForExitAsync();
        _perf.Dispose();
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    private static void Interrupt(int pid) => Kill(pid, 2);
}
