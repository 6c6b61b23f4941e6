using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.Fakes;
using ConvertroFunctions.LocalHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ConvertroFunctions.Benchmarks;

/// <summary>
/// What delivery costs in Table requests per event (not timed), as LedgerCostTests measures it:
/// LocalHost in this process, its storage clients counting every Table request the product makes
/// (ingest, ledger claims and records, links, counts, settings reads), fed signed posts through its
/// HTTP API. Production settings (idempotency on, lease 120 s), except that counts are written every
/// 60 s (Stats__FlushSeconds) so that time-based write does not land inside the measurement, and
/// the daily retention timer is off. Budgets (docs/architecture.md, "The event ledger"): 2.0 per
/// event for single-event posts, 0.05 for arrays of 50, 0.1 for arrays of events Segment received
/// yesterday or a month ago.
/// </summary>
internal sealed class TableRequestCost(Stack stack, BenchSettings settings)
{
    private const int Concurrency = 4;

    /// <summary>Table requests per event, each measured in one steady-state host.</summary>
    /// <param name="Yesterday">Arrays of 50 events Segment received yesterday (a replay, a retry across midnight).</param>
    /// <param name="LastMonth">Arrays of 50 events Segment received a month ago (a backfill: their day's table is created on first use).</param>
    public sealed record Costs(double Singles, double Arrays, double Yesterday, double LastMonth);

    /// <summary>Requests per event for single-event posts, then for arrays of 50 received today, yesterday and a month ago.</summary>
    public async Task<Costs> MeasureAsync()
    {
        await stack.ResetStorageAsync();
        stack.Convertro.Clear();
        var counter = new TableRequestCounter(stack.Azurite.TablePort);
        await using var host = await StartAsync(counter);
        using var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var ingest = new IngestBenchmarks(stack, client, settings);

        // Steady state: one event delivered, so today's ledger table exists and the settings are cached
        // (for Workspaces__CacheSeconds, 30 s: the measurements take less).
        await ingest.PostAsync(Events.Track(Events.Id("cost-warm", 0)));
        await stack.WaitForCallsAsync("cost-warm", 1, () => "the warm-up event");
        await SettledAsync(counter);

        var singles = await PerEventAsync(counter, ingest, "cost-single", settings.CostSingles, n => Events.Track(Events.Id("cost-single", n)), 1);
        var arrays = await PerEventAsync(counter, ingest, "cost-array", settings.CostArrays,
            n => Events.Array(n, Backlog.ArraySize, "cost-array"), Backlog.ArraySize);
        var yesterday = DateTimeOffset.UtcNow.AddDays(-1);
        var lastMonth = DateTimeOffset.UtcNow.AddDays(-30);
        var late = await PerEventAsync(counter, ingest, "cost-yesterday", settings.CostArrays,
            n => Events.Array(n, Backlog.ArraySize, "cost-yesterday", yesterday), Backlog.ArraySize);
        var backfill = await PerEventAsync(counter, ingest, "cost-lastmonth", settings.CostArrays,
            n => Events.Array(n, Backlog.ArraySize, "cost-lastmonth", lastMonth), Backlog.ArraySize);
        return new Costs(singles, arrays, late, backfill);
    }

    /// <summary>
    /// Requests per event while draining a backlog at full speed (<see cref="BenchSettings.DeliveryArrays"/>
    /// arrays of 50 queued before LocalHost starts, up to 48 messages in flight): the condition in
    /// which a per-message flush would multiply. Counted from LocalHost's start (creating today's
    /// table and reading the settings included) until every call is in and the count has settled.
    /// With <paramref name="convertroDelay"/>, the fake Convertro answers each call that late: a message
    /// of 50 then lasts about a second and spans several of the ledger's flush ticks (a real Convertro
    /// is not instant; one flush per message tripled the count at 150 ms, docs/performance.md).
    /// </summary>
    public async Task<double> BacklogAsync(TimeSpan convertroDelay = default)
    {
        var prefix = convertroDelay > TimeSpan.Zero ? "cost-slow" : "cost-backlog";
        var events = settings.DeliveryArrays * Backlog.ArraySize;
        await Backlog.ArraysAsync(stack, prefix, settings.DeliveryArrays);
        var counter = new TableRequestCounter(stack.Azurite.TablePort);
        stack.Convertro.ResponseDelay = convertroDelay;
        try
        {
            await using var host = await StartAsync(counter);
            await stack.WaitForCallsAsync(prefix, events, () => counter.Breakdown);
            var requests = await SettledAsync(counter);
            Console.WriteLine($"  {prefix}: {requests} Table requests for {events} events ({counter.Breakdown})");
            return requests / (double)events;
        }
        finally
        {
            stack.Convertro.ResponseDelay = TimeSpan.Zero;
        }
    }

    /// <summary>
    /// Posts <paramref name="posts"/> bodies, 4 at a time, waits for Convertro to receive every call
    /// and for the requests to stop (the last records written); requests per event.
    /// </summary>
    private async Task<double> PerEventAsync(
        TableRequestCounter counter, IngestBenchmarks ingest, string prefix, int posts, Func<long, string> body, int eventsPerPost)
    {
        counter.Reset();
        await Parallel.ForEachAsync(Enumerable.Range(0, posts), new ParallelOptions { MaxDegreeOfParallelism = Concurrency },
            async (n, _) => await ingest.PostAsync(body(n), eventsPerPost));
        if (!ingest.Failures.IsEmpty)
        {
            throw new InvalidOperationException($"Ingest did not answer 202: {string.Join(", ", ingest.Failures.Select(f => $"{f.Key}×{f.Value}"))}");
        }
        var events = posts * eventsPerPost;
        await stack.WaitForCallsAsync(prefix, events, () => counter.Breakdown);
        var requests = await SettledAsync(counter);
        Console.WriteLine($"  {prefix}: {requests} Table requests for {events} events ({counter.Breakdown})");
        return requests / (double)events;
    }

    /// <summary>The count once it has stopped changing for 1.5 s.</summary>
    private static async Task<long> SettledAsync(TableRequestCounter counter)
    {
        long last;
        do
        {
            last = counter.TableRequests;
            await Task.Delay(TimeSpan.FromSeconds(1.5));
        }
        while (counter.TableRequests != last);
        return last;
    }

    /// <summary>LocalHost in this process, its storage clients built with the counter (as CountingPipeline does in the tests).</summary>
    private async Task<LocalHostInstance> StartAsync(TableRequestCounter counter)
    {
        var overrides = stack.LocalHostSettings(deliver: true, idempotency: true);
        overrides["Stats:FlushSeconds"] = "60";
        overrides["AzureWebJobs.RetentionFunction.Disabled"] = "true";
        var console = Console.Out;
        Console.SetOut(TextWriter.Null); // its start-up banner
        try
        {
            return await LocalHostApp.StartAsync(["--urls", "http://127.0.0.1:0"], overrides, configure: builder =>
                builder.Services.Replace(ServiceDescriptor.Singleton(_ => StorageClients.FromConfiguration(builder.Configuration, counter.AddTo))));
        }
        finally
        {
            Console.SetOut(console);
        }
    }
}
