using System.Diagnostics;

namespace ConvertroFunctions.LocalHost.Azurite;

/// <summary>Installs the repo's pinned npm devDependencies (Azurite) with <c>npm ci</c> when they are missing.</summary>
public static class NpmDependencies
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static string AzuriteScript(string repoRoot) =>
        Path.Combine(repoRoot, "node_modules", "azurite", "dist", "src", "azurite.js");

    public static async Task EnsureInstalledAsync(string repoRoot, Action<string> log, CancellationToken ct)
    {
        if (File.Exists(AzuriteScript(repoRoot)))
        {
            return;
        }
        await InstallLock.WaitAsync(ct);
        try
        {
            if (File.Exists(AzuriteScript(repoRoot)))
            {
                return;
            }
            log($"Azurite is not installed; running 'npm ci' in {repoRoot} (once, about half a minute)…");
            var npm = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";
            var start = new ProcessStartInfo(npm, ["ci", "--no-audit", "--no-fund"])
            {
                WorkingDirectory = repoRoot,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)
                ?? throw new InvalidOperationException("Could not start npm; install Node.js (which includes npm).");
            var output = process.StandardOutput.ReadToEndAsync(ct);
            var errors = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            if (process.ExitCode != 0 || !File.Exists(AzuriteScript(repoRoot)))
            {
                throw new InvalidOperationException(
                    $"'npm ci' failed (exit code {process.ExitCode}) in {repoRoot}:\n{await output}\n{await errors}");
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }
}
