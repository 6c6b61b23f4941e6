using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ConvertroFunctions.Fakes;

/// <summary>
/// LocalHost in a process of its own (the built ConvertroFunctions.LocalHost.dll next to the
/// calling tests or benchmarks, which reference the LocalHost project), configured through
/// environment variables like a deployment, so it can be killed or its memory read.
/// </summary>
public sealed class LocalHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private LocalHostProcess(Process process, Uri baseAddress)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Client { get; }

    /// <summary>The process id (a profiler attaches to it).</summary>
    public int Id => _process.Id;

    public string Output
    {
        get { lock (_output) { return _output.ToString(); } }
    }

    /// <summary>Peak resident memory of the process so far (Linux: VmHWM), in bytes.</summary>
    public long PeakResidentBytes
    {
        get
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
    }

    /// <summary>How to start LocalHost on <paramref name="url"/> with <paramref name="settings"/> as environment variables, output redirected.</summary>
    public static ProcessStartInfo StartInfo(Uri url, IReadOnlyDictionary<string, string?> settings, IEnumerable<string>? args = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ConvertroFunctions.LocalHost.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(url.ToString());
        foreach (var arg in args ?? [])
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        return start;
    }

    /// <param name="url">Where it listens (a free loopback port unless given); the client reaches it on 127.0.0.1.</param>
    /// <param name="args">More command-line arguments (e.g. --public).</param>
    public static async Task<LocalHostProcess> StartAsync(
        IReadOnlyDictionary<string, string?> settings, TimeSpan? timeout = null, Uri? url = null, IEnumerable<string>? args = null)
    {
        url ??= new Uri($"http://127.0.0.1:{FreePort()}");
        var host = new LocalHostProcess(Process.Start(StartInfo(url, settings, args))!, new UriBuilder(url) { Host = "127.0.0.1" }.Uri);
        host._process.OutputDataReceived += (_, e) => host.Append(e.Data);
        host._process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        host._process.BeginOutputReadLine();
        host._process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!await host.HealthyAsync())
        {
            if (host._process.HasExited || DateTime.UtcNow > deadline)
            {
                var output = host.Output;
                await host.DisposeAsync();
                throw new InvalidOperationException($"LocalHost did not become healthy:\n{output}");
            }
            await Task.Delay(100);
        }
        return host;
    }

    /// <summary>
    /// SIGTERM, as a deploy or a scale-in sends it: the host should stop taking messages, finish or
    /// hand back what it holds, and exit. Returns how long it took to exit.
    /// </summary>
    public async Task<TimeSpan> TerminateAsync(TimeSpan timeout)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        if (SendSignal(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed");
        }
        using var wait = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(wait.Token);
        return started.Elapsed;
    }

    public int ExitCode => _process.ExitCode;

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>SIGKILL: no shutdown, no cleanup, whatever was in flight stays in flight.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
        }
        _process.Dispose();
        Client.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<bool> HealthyAsync()
    {
        try
        {
            return (await Client.GetAsync("/api/health")).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>A loopback port nothing listens on (at the moment of asking).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
