using System.Globalization;

namespace ConvertroFunctions.Benchmarks;

/// <summary>
/// CPU time used by each process of the stack (Linux /proc): this harness (load generator and
/// fake Convertro), and the LocalHost and Azurite processes it started. Sampled around a
/// measurement, it says where the machine's cores went per event. <see cref="LocalHostJit"/> is the
/// part of LocalHost's CPU spent by the runtime's tiered-compilation thread (".NET Tiered Compilation
/// Worker", shown as ".NET Tiered Com"): recompiling hot methods in the background, in bursts that
/// land in whichever window is measured, a cost per method rather than per event
/// (docs/performance.md, "Where the spread came from"). The runtime ends that thread after a few
/// idle seconds and starts a new one when it has work again, so a difference of two samples is taken
/// thread by thread (<see cref="JitThreads"/>): a thread born in the window counts in full, and one that
/// was born and ended inside it is not seen at all (the figure "without the JIT thread" can only come
/// out higher for it, never lower).
/// </summary>
public sealed record CpuProfile(double Harness, double LocalHost, double Azurite, double LocalHostJit = 0)
{
    /// <summary>The name Linux shows for the runtime's tiered-compilation thread (15 characters).</summary>
    private const string JitThread = ".NET Tiered Com";

    /// <summary>LocalHost's CPU less its tiered-compilation thread's.</summary>
    public double LocalHostWithoutJit => LocalHost - LocalHostJit;

    /// <summary>In a sample: CPU seconds so far of each of LocalHost's tiered-compilation threads, by thread id.</summary>
    public IReadOnlyDictionary<int, double> JitThreads { get; private init; } = new Dictionary<int, double>();

    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>
    /// CPU seconds so far of this process and of the LocalHost and Azurite processes it started
    /// (its descendants), so another Azurite or LocalHost on the machine is not counted.
    /// </summary>
    public static CpuProfile Sample()
    {
        var processes = new Dictionary<int, (int Parent, double Seconds, string CommandLine)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var (parent, seconds) = Parse(File.ReadAllText(Path.Combine(dir, "stat")));
                processes[pid] = (parent, seconds, File.ReadAllText(Path.Combine(dir, "cmdline")));
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
        }
        double localHost = 0, azurite = 0;
        var jit = new Dictionary<int, double>();
        foreach (var (pid, (_, seconds, cmdline)) in processes)
        {
            if (!IsDescendant(pid, processes))
            {
                continue;
            }
            if (cmdline.Contains("ConvertroFunctions.LocalHost.dll", StringComparison.Ordinal))
            {
                localHost += seconds;
                AddThreads(pid, JitThread, jit);
            }
            else if (cmdline.Contains("azurite", StringComparison.Ordinal))
            {
                azurite += seconds;
            }
        }
        return new(processes.TryGetValue(Environment.ProcessId, out var self) ? self.Seconds : 0, localHost, azurite, jit.Values.Sum()) { JitThreads = jit };
    }

    /// <summary>Adds the CPU seconds of each of the process's threads with this name, by thread id (/proc/{pid}/task/{tid}/stat).</summary>
    private static void AddThreads(int pid, string name, Dictionary<int, double> threads)
    {
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    var open = stat.IndexOf('(');
                    if (stat.AsSpan(open + 1, stat.LastIndexOf(')') - open - 1).SequenceEqual(name))
                    {
                        threads[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = Parse(stat).Seconds;
                    }
                }
                catch (IOException)
                {
                    // The thread ended meanwhile.
                }
            }
        }
        catch (IOException)
        {
            // The process ended meanwhile.
        }
    }

    public double TotalMicrosecondsPer(double events) => (Harness + LocalHost + Azurite) / events * 1e6;

    public CpuProfile Plus(CpuProfile other) => new(Harness + other.Harness, LocalHost + other.LocalHost, Azurite + other.Azurite, LocalHostJit + other.LocalHostJit);

    /// <summary>The CPU used between an earlier sample and this one; the JIT thread's counted thread by thread (see above).</summary>
    public CpuProfile Minus(CpuProfile earlier) => new(Harness - earlier.Harness, LocalHost - earlier.LocalHost, Azurite - earlier.Azurite,
        JitThreads.Sum(t => Math.Max(0, t.Value - earlier.JitThreads.GetValueOrDefault(t.Key))));

    /// <summary>Microseconds of CPU per event for each part.</summary>
    public string PerEvent(double events) =>
        string.Create(CultureInfo.InvariantCulture,
            $"harness {Harness / events * 1e6:F0} µs, LocalHost {LocalHost / events * 1e6:F0} µs, Azurite {Azurite / events * 1e6:F0} µs per event");

    private static bool IsDescendant(int pid, Dictionary<int, (int Parent, double Seconds, string CommandLine)> processes)
    {
        for (var depth = 0; depth < 64 && processes.TryGetValue(pid, out var process) && process.Parent > 1; depth++)
        {
            if (process.Parent == Environment.ProcessId)
            {
                return true;
            }
            pid = process.Parent;
        }
        return false;
    }

    /// <summary>The parent's id and the CPU seconds (user + system) from /proc/{pid}/stat.</summary>
    private static (int Parent, double Seconds) Parse(string stat)
    {
        // Fields after the command name (which may hold spaces) start after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (int.Parse(fields[1], CultureInfo.InvariantCulture),
            (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond);
    }
}
