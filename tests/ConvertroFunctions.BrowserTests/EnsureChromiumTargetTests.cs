using System.Diagnostics;
using ConvertroFunctions.LocalHost.Azurite;

namespace ConvertroFunctions.BrowserTests;

/// <summary>
/// This project's EnsureChromium target, which runs before it builds and before its tests run, so
/// the README's one test command needs nothing installed by hand: with a Chromium it passes; without
/// one it can install, it fails the build naming the command to run.
/// </summary>
public sealed class EnsureChromiumTargetTests
{
    [Fact]
    public async Task WithAChromium_TheTargetPasses_AndSaysWhichOne()
    {
        var (exitCode, output) = await RunTargetAsync(Chromium.Path());

        Assert.True(exitCode == 0, output);
        Assert.Contains($"chromium: {Chromium.Path()}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenChromiumCannotBeFound_TheBuildFails_NamingTheCommandToRun()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-chromium-{Guid.NewGuid():N}");

        var (exitCode, output) = await RunTargetAsync(missing);

        Assert.True(exitCode != 0, output);
        Assert.Contains($"CHROMIUM_PATH={missing} is not an executable file", output, StringComparison.Ordinal);
        Assert.Contains($"error : The console's browser tests need Chromium and it could not be installed. Run `bash {Chromium.InstallScript}`", output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunTargetAsync(string chromiumPath)
    {
        var root = RepoPaths.FindRoot();
        var project = Path.Combine(root, "tests", "ConvertroFunctions.BrowserTests", "ConvertroFunctions.BrowserTests.csproj");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "msbuild", project, "-t:EnsureChromium", "-nologo", "-nodeReuse:false", "-v:m" })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment[Chromium.PathVariable] = chromiumPath;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
