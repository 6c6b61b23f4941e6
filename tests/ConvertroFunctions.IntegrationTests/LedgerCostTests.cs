using System.Net;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// LocalHost whose storage clients count every Table request the product makes, with the
/// production lease (120 s: renewals only for deliveries slower than a minute) and counts written
/// every minute: the time-based costs (a counters row per workspace every Stats__FlushSeconds, a
/// settings read every Workspaces__CacheSeconds) are not per event (docs/performance.md).
/// </summary>
public sealed class CountingPipeline : PipelineFixture
{
    public TableRequestCounter Counter { get; private set; } = null!;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Idempotency:LeaseSeconds", "120"), new("Stats:FlushSeconds", "60")];

    protected override void ConfigureHost(WebApplicationBuilder builder)
    {
        Counter = new TableRequestCounter(Azurite.TablePort);
        builder.Services.Replace(ServiceDescriptor.Singleton(_ => StorageClients.FromConfiguration(builder.Configuration, Counter.AddTo)));
    }
}

/// <summary>
/// What the event ledger costs in Table requests (docs/performance.md): at most one per event when
/// Segment sends batches, at most two for single-event posts. Every request counts: ingest's,
/// delivery's claims and records, settings reads.
/// </summary>
public sealed class LedgerCostTests(CountingPipeline pipeline, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<CountingPipeline>
{
    [Fact]
    public async Task Deliver_400EventsPostedAsArraysOf50_AtMostOneTableRequestPerEvent()
    {
        var ws = await WarmWorkspaceAsync();
        var batches = Enumerable.Range(0, 8).Select(b => FaultInjectionTests.MixedBatch($"cost-{b}", 50)).ToList();
        var calls = batches.Sum(b => b.Expected.Sum(e => e.Calls.Count));
        pipeline.Counter.Reset();

        foreach (var (body, _) in batches)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", body)).StatusCode);
        }

        var requests = await SettledRequestsAsync(ws, calls + 1);
        output.WriteLine($"{requests} Table requests for 400 events in arrays of 50: {requests / 400.0:F2} per event ({pipeline.Counter.Breakdown})");
        Assert.True(requests <= 400, $"{requests} Table requests for 400 events ({requests / 400.0:F2} per event; {pipeline.Counter.Breakdown}); the budget is 1.0");
        await Accounting.AssertEveryEventFinalAsync(pipeline, ws,
            [ExpectedOutcome.Delivered("warm-up", "events:Signed Up"), .. batches.SelectMany(b => b.Expected)]);
    }

    /// <summary>
    /// A Convertro as slow as a real one keeps each message's delivery going for about a second
    /// (8 events at a time, 150 ms a call), over several flush ticks: the ledger flushes once per
    /// process and tick, so the messages in flight share each tick's transaction, and a message still
    /// costs its claim and its close and little more. 22 transactions measured; at most 36 allowed,
    /// since the messages may be picked up in several polls and slowed by a loaded machine (one flush
    /// per message made it 48: docs/performance.md). Tracks of one user, so that the ledger's are the
    /// only transactions.
    /// </summary>
    [Fact]
    public async Task Deliver_ArraysOf50WithASlowConvertro_MessagesInFlightShareTheFlush()
    {
        var ws = await WarmWorkspaceAsync();
        var ids = Enumerable.Range(0, 8).Select(b => Enumerable.Range(0, 50).Select(i => $"slow-{b}-{i:D2}").ToList()).ToList();
        pipeline.Convertro.ResponseDelay = TimeSpan.FromMilliseconds(150);
        try
        {
            pipeline.Counter.Reset();
            await Task.WhenAll(ids.Select(async batch => Assert.Equal(HttpStatusCode.Accepted,
                (await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Array([.. batch.Select(id => Segment.Track(id, "Signed Up"))]))).StatusCode)));

            await SettledRequestsAsync(ws, 400 + 1);
        }
        finally
        {
            pipeline.Convertro.ResponseDelay = TimeSpan.Zero;
        }
        var transactions = pipeline.Counter.RequestsTo("$batch");
        output.WriteLine($"{transactions} transactions for 8 messages of 50 events with Convertro answering in 150 ms ({pipeline.Counter.Breakdown})");
        Assert.InRange(transactions, 8, 36);
        await Accounting.AssertEveryEventFinalAsync(pipeline, ws,
            [ExpectedOutcome.Delivered("warm-up", "events:Signed Up"), .. ids.SelectMany(b => b.Select(id => ExpectedOutcome.Delivered(id, "events:Signed Up")))]);
    }

    [Fact]
    public async Task Deliver_100SingleEventPosts_AtMostTwoTableRequestsPerEvent()
    {
        var ws = await WarmWorkspaceAsync();
        pipeline.Counter.Reset();

        await Parallel.ForEachAsync(Enumerable.Range(0, 100), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
            Assert.Equal(HttpStatusCode.Accepted,
                (await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Track($"single-{i}", "Signed Up").ToJsonString())).StatusCode));

        var requests = await SettledRequestsAsync(ws, 100 + 1);
        output.WriteLine($"{requests} Table requests for 100 single-event posts: {requests / 100.0:F2} per event ({pipeline.Counter.Breakdown})");
        Assert.True(requests <= 200, $"{requests} Table requests for 100 single-event posts ({requests / 100.0:F2} per event; {pipeline.Counter.Breakdown}); the budget is 2.0");
        await Accounting.AssertEveryEventFinalAsync(pipeline, ws,
            [ExpectedOutcome.Delivered("warm-up", "events:Signed Up"), .. Enumerable.Range(0, 100).Select(i => ExpectedOutcome.Delivered($"single-{i}", "events:Signed Up"))]);
    }

    /// <summary>A workspace with one event delivered: today's ledger table exists and the settings are cached, as in steady state.</summary>
    private async Task<TestWorkspace> WarmWorkspaceAsync()
    {
        var ws = await pipeline.NewWorkspaceAsync(hybrid: true);
        await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Track("warm-up", "Signed Up").ToJsonString());
        await pipeline.Convertro.WaitForAsync(ws.ClientName, 1);
        await Task.Delay(TimeSpan.FromSeconds(1)); // its record is written
        return ws;
    }

    /// <summary>Waits for Convertro to receive every call, then for the requests to stop (the last records written).</summary>
    private async Task<long> SettledRequestsAsync(TestWorkspace ws, int calls)
    {
        await pipeline.Convertro.WaitForAsync(ws.ClientName, calls, TimeSpan.FromSeconds(90));
        long last;
        do
        {
            last = pipeline.Counter.TableRequests;
            await Task.Delay(TimeSpan.FromSeconds(1.5));
        }
        while (pipeline.Counter.TableRequests != last);
        return last;
    }
}
