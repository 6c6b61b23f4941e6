using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;

namespace ConvertroFunctions.Infra.Tests;

/// <summary>Runs the Bicep CLI restored from NuGet (the path is baked in at build time).</summary>
internal static class Bicep
{
    public static string InfraDirectory { get; } = Metadata("InfraDirectory");

    private static string CliPath { get; } = Metadata("BicepPath");

    public static (int ExitCode, string Output) Run(params string[] args)
    {
        Assert.True(File.Exists(CliPath), $"Bicep CLI not found at {CliPath}; dotnet restore downloads it.");
        var start = new ProcessStartInfo(CliPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = InfraDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"bicep {string.Join(' ', args)} did not finish in 2 minutes.");
        }

        return (process.ExitCode, stdout + stderr.Result);
    }

    /// <summary>Compiles a .bicep file to its ARM JSON template.</summary>
    public static JsonObject Build(string file)
    {
        var (exitCode, output) = Run("build", file, "--stdout");
        Assert.True(exitCode == 0, $"bicep build {file} failed:\n{output}");
        return JsonNode.Parse(output)!.AsObject();
    }

    private static string Metadata(string key) =>
        typeof(Bicep).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
