using System.Globalization;
using System.Text.Json;

namespace ConvertroFunctions.Benchmarks;

/// <summary>One line of the results: a figure, what it is compared with, and the target.</summary>
public sealed record Figure(string Name, double Value, string Unit, double? Baseline, string? BaselineName, double? Ratio, string Target, bool? Met);

/// <summary>All figures of one run, printed as a table and written as JSON.</summary>
public sealed class Report
{
    public DateTimeOffset At { get; } = DateTimeOffset.UtcNow;

    public string Machine { get; } = $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";

    public bool Quick { get; init; }

    public List<Figure> Figures { get; } = [];

    public void Add(Figure figure)
    {
        Figures.Add(figure);
        Console.WriteLine($"  {figure.Name}: {Format(figure.Value)} {figure.Unit}" + (figure.Ratio is { } r ? $" ({Ratio(figure)} of {figure.BaselineName})" : ""));
    }

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine($"ConvertroFunctions benchmarks — {Machine}{(Quick ? " — QUICK (smoke run, not figures to quote)" : "")}");
        Console.WriteLine();
        const string row = "{0,-46} {1,14} {2,-9} {3,-32} {4,10} {5,-14} {6}";
        Console.WriteLine(row, "Measure", "Figure", "Unit", "Compared with", "Ratio", "Target", "Met");
        Console.WriteLine(new string('-', 140));
        foreach (var f in Figures)
        {
            var baseline = f.Baseline is { } b ? $"{f.BaselineName} {Format(b)}" : "";
            Console.WriteLine(row, f.Name, Format(f.Value), f.Unit, baseline, f.Ratio is null ? "" : Ratio(f), f.Target,
                f.Met switch { true => "yes", false => "NO", null => "" });
        }
    }

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(this, new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            // A quick run's windows can be shorter than /proc's 10 ms of CPU: a ratio over 0 is written "Infinity" or "NaN", not refused.
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        }));
        Console.WriteLine($"\nWritten to {Path.GetFullPath(path)}");
    }

    private static string Ratio(Figure f) => f.Unit == "×" || f.Name.Contains("batches", StringComparison.Ordinal)
        ? $"{f.Ratio:0.0}×"
        : $"{f.Ratio:P0}";

    private static string Format(double value) => value switch
    {
        >= 100 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 1 => value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.000", CultureInfo.InvariantCulture),
    };
}
