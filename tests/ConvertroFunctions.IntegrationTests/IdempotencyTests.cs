using System.Net;
using ConvertroFunctions.IntegrationTests.Infrastructure;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>The same Segment messageId twice sends nothing twice (the Delivered{day} tables).</summary>
public sealed class IdempotencyTests(PipelineFixture pipeline) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task Ingest_SameEventAgainAfterDelivery_NoSecondCallAndSkippedAsAlreadyDelivered()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        using var skips = new OutcomeCounter(pipeline.Host, ws.Id);
        var body = Segment.Identify("again-1").ToJsonString();
        await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", body);
        await pipeline.Convertro.WaitForAsync(ws.ClientName, 1);

        var repeat = await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", body);

        Assert.Equal(HttpStatusCode.Accepted, repeat.StatusCode);
        await Eventually.TrueAsync(() => skips.Total == 1, message: () => $"skipped: {skips}");
        Assert.Equal(1, skips.ByReason["already_delivered"]);
        await Accounting.AssertEveryEventFinalAsync(pipeline, ws, [ExpectedOutcome.Delivered("again-1", "users")]);
    }

    [Fact]
    public async Task Ingest_SameBatchThreeTimesAtOnce_EachCallAcceptedExactlyOnce()
    {
        var ws = await pipeline.NewWorkspaceAsync(hybrid: true);
        var (body, expected) = FaultInjectionTests.MixedBatch("dup", 60);

        var posts = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", body)));

        Assert.All(posts, p => Assert.Equal(HttpStatusCode.Accepted, p.StatusCode));
        await Accounting.AssertEveryEventFinalAsync(pipeline, ws, expected, settle: TimeSpan.FromSeconds(6));
        Assert.Equal(expected.Sum(e => e.Calls.Count), pipeline.Convertro.RequestsFor(ws.ClientName).Count);
    }

    [Fact]
    public async Task Ingest_RepeatWhileFirstCopyRetries_OnlyTheRetrySendsAndNothingTwice()
    {
        var ws = await pipeline.NewWorkspaceAsync(hybrid: true);
        // sale.repeat goes through, sale fails once: the event is re-enqueued with sale still to send.
        pipeline.Convertro.Script(ws.ClientName, new FakeResponse(200), new FakeResponse(503, RetryAfter: TimeSpan.FromSeconds(1)));
        var order = Segment.Track("order-1", "Order Completed",
            new System.Text.Json.Nodes.JsonObject { ["order_id"] = "order-1", ["total"] = 30, ["repeat"] = true }).ToJsonString();
        await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", order);
        await pipeline.Convertro.WaitForAsync(ws.ClientName, 2);

        await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", order);

        await Accounting.AssertEveryEventFinalAsync(pipeline, ws, [ExpectedOutcome.Delivered("order-1", "events:sale.repeat", "events:sale")]);
        Assert.Equal(["sale.repeat", "sale", "sale"], pipeline.Convertro.RequestsFor(ws.ClientName).Select(r => r.EventType));
    }
}
