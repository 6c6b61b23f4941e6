using System.Globalization;

namespace ConvertroFunctions.Benchmarks;

/// <summary>
/// CPU time used by each process of the stack (Linux /proc): this harness (load generator and
/// fake Convertro), LocalHost, and Azurite. Sampled around a measurement, it says where the
/// machine's cores went per event.
/// </summary>
public sealed record CpuProfile(double Harness, double LocalHost, double Azurite)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    public static CpuProfile Sample()
    {
        double harness = 0, localHost = 0, azurite = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                var seconds = CpuSeconds(File.ReadAllText(Path.Combine(dir, "stat")));
                if (pid == Environment.ProcessId)
                {
                    harness += seconds;
                }
                else if (cmdline.Contains("ConvertroFunctions.LocalHost.dll", StringComparison.Ordinal))
                {
                    localHost += seconds;
                }
                else if (cmdline.Contains("azurite", StringComparison.Ordinal))
                {
                    azurite += seconds;
                }
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
        }
        return new(harness, localHost, azurite);
    }

    public double TotalMicrosecondsPer(double events) => (Harness + LocalHost + Azurite) / events * 1e6;

    public CpuProfile Plus(CpuProfile other) => new(Harness + other.Harness, LocalHost + other.LocalHost, Azurite + other.Azurite);

    public CpuProfile Minus(CpuProfile earlier) => new(Harness - earlier.Harness, LocalHost - earlier.LocalHost, Azurite - earlier.Azurite);

    /// <summary>Microseconds of CPU per event for each part.</summary>
    public string PerEvent(double events) =>
        string.Create(CultureInfo.InvariantCulture,
            $"harness {Harness / events * 1e6:F0} µs, LocalHost {LocalHost / events * 1e6:F0} µs, Azurite {Azurite / events * 1e6:F0} µs per event");

    private static double CpuSeconds(string stat)
    {
        // Fields after the command name (which may hold spaces) start after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}
