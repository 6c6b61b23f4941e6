using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace ConvertroFunctions.LocalHost.Azurite;

/// <summary>
/// A running Azurite, started from the repo's pinned npm package, on 127.0.0.1 only. Disposing it
/// stops it; so does this process exiting, through azurite-child.cjs.
/// </summary>
public sealed partial class AzuriteProcess : IAsyncDisposable
{
    private readonly Process _process;

    private AzuriteProcess(Process process, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        $"AccountKey={AzuriteOptions.DevAccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    public static async Task<AzuriteProcess> StartAsync(AzuriteOptions options, Action<string> log, CancellationToken ct)
    {
        var repoRoot = RepoPaths.FindRoot();
        await NpmDependencies.EnsureInstalledAsync(repoRoot, log, ct);

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = repoRoot,
        };
        foreach (var arg in Arguments(options, repoRoot))
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node; install Node.js.");
        var output = new StringBuilder();
        var ports = new Dictionary<string, int>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => OnLine(e.Data, output, ports, ready);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data, output, ports, ready);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.StartTimeout);
        var started = await Task.WhenAny(ready.Task, process.WaitForExitAsync(timeout.Token));
        if (started != ready.Task)
        {
            var azurite = new AzuriteProcess(process, 0, 0, 0);
            await azurite.DisposeAsync();
            lock (output)
            {
                throw new InvalidOperationException($"Azurite did not start (is a port in use?). It printed:\n{output}");
            }
        }
        lock (ports)
        {
            return new AzuriteProcess(process, ports["Blob"], ports["Queue"], ports["Table"]);
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Completes when Azurite's process ends (stopped by us, killed, or crashed).</summary>
    public Task WaitForExitAsync(CancellationToken ct) => _process.WaitForExitAsync(ct);

    /// <summary>Kills Azurite at once, as a crash would (tests).</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (_process.HasExited)
        {
            _process.Dispose();
            return;
        }
        try
        {
            _process.StandardInput.Close(); // azurite-child.cjs stops Azurite when its stdin closes
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }

    private static IEnumerable<string> Arguments(AzuriteOptions options, string repoRoot)
    {
        yield return Path.Combine(AppContext.BaseDirectory, "Azurite", "azurite-child.cjs");
        yield return NpmDependencies.AzuriteScript(repoRoot);
        foreach (var arg in new[] { "--silent", "--skipApiVersionCheck", "--disableTelemetry" })
        {
            yield return arg;
        }
        foreach (var (service, port) in new[] { ("blob", options.BlobPort), ("queue", options.QueuePort), ("table", options.TablePort) })
        {
            yield return $"--{service}Host";
            yield return "127.0.0.1";
            yield return $"--{service}Port";
            yield return port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (options.Location is null)
        {
            yield return "--inMemoryPersistence";
            yield return "--extentMemoryLimit";
            yield return options.ExtentMemoryLimitMegabytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            Directory.CreateDirectory(options.Location);
            yield return "--location";
            yield return options.Location;
        }
    }

    private static void OnLine(string? line, StringBuilder output, Dictionary<string, int> ports, TaskCompletionSource ready)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.AppendLine(line);
        }
        var match = ListeningLine().Match(line);
        if (!match.Success)
        {
            return;
        }
        lock (ports)
        {
            ports[match.Groups["service"].Value] = int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (ports.Count == 3)
            {
                ready.TrySetResult();
            }
        }
    }

    [GeneratedRegex(@"Azurite (?<service>Blob|Queue|Table) service is successfully listening at http://127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
