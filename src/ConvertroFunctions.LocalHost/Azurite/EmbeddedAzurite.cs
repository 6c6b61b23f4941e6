namespace ConvertroFunctions.LocalHost.Azurite;

/// <summary>
/// The Azurite LocalHost started itself, kept running: when it dies (a crash, a kill) it is started
/// again on the same ports and data folder, and only if that fails does LocalHost stop, saying
/// why. Meanwhile storage calls fail fast, so /api/health answers 503 and ingest 503 with
/// Retry-After (Segment retries).
/// </summary>
public sealed class EmbeddedAzurite : IAsyncDisposable
{
    private const int RestartAttempts = 3;

    private readonly AzuriteOptions _options;
    private readonly Action<string> _log;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _watch;

    private EmbeddedAzurite(AzuriteProcess process, AzuriteOptions options, Action<string> log)
    {
        Current = process;
        _options = options with { BlobPort = process.BlobPort, QueuePort = process.QueuePort, TablePort = process.TablePort };
        _log = log;
    }

    /// <summary>The running Azurite (replaced after a restart).</summary>
    public AzuriteProcess Current { get; private set; }

    public int QueuePort => Current.QueuePort;

    public int TablePort => Current.TablePort;

    /// <summary>How many times it was started again after dying.</summary>
    public int Restarts { get; private set; }

    public static async Task<EmbeddedAzurite> StartAsync(AzuriteOptions options, Action<string> log, CancellationToken ct) =>
        new(await AzuriteProcess.StartAsync(options, log, ct), options, log);

    /// <summary>Starts watching; <paramref name="giveUp"/> runs when Azurite cannot be started again.</summary>
    public void Watch(Action<string> giveUp) => _watch ??= WatchAsync(giveUp, _stopping.Token);

    private async Task WatchAsync(Action<string> giveUp, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Current.WaitForExitAsync(stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _log("Azurite (started by LocalHost) stopped unexpectedly; starting it again on the same ports and data…");
            Exception? last = null;
            for (var attempt = 1; attempt <= RestartAttempts && !stopping.IsCancellationRequested; attempt++)
            {
                try
                {
                    await Current.DisposeAsync();
                    Current = await AzuriteProcess.StartAsync(_options, _log, stopping);
                    Restarts++;
                    _log($"Azurite is running again on 127.0.0.1:{Current.QueuePort} (queues) and :{Current.TablePort} (tables).");
                    last = null;
                    break;
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested)
                {
                    last = ex;
                    await Task.Delay(TimeSpan.FromSeconds(attempt), CancellationToken.None);
                }
            }
            if (last is not null)
            {
                giveUp($"Azurite stopped and could not be started again ({last.Message.Split('\n')[0]}). " +
                    "LocalHost is stopping: check that ports 10000–10002 are free and that `npm ci` succeeds, then start LocalHost again.");
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_watch is not null)
        {
            await _watch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await Current.DisposeAsync();
        _stopping.Dispose();
    }
}
