using System.Net;
using System.Text.Json.Nodes;
using ConvertroFunctions.IntegrationTests.Infrastructure;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// Convertro misbehaves (docs/mapping.md, "Outcomes"; docs/architecture.md, "Delivery"), then recovers or not; each test ends with the
/// accounting check that every accepted event is in exactly one final state.
/// </summary>
public sealed class FaultInjectionTests(PipelineFixture pipeline) : IClassFixture<PipelineFixture>
{
    public static TheoryData<string> TransientFaults => ["500", "503", "429 Retry-After 1", "408", "hang past the timeout"];

    [Theory]
    [MemberData(nameof(TransientFaults))]
    public async Task Deliver_TransientFaultThenRecovery_EveryEventDeliveredExactlyOnce(string fault)
    {
        var ws = await pipeline.NewWorkspaceAsync(hybrid: true);
        var response = fault switch
        {
            "429 Retry-After 1" => new FakeResponse(429, RetryAfter: TimeSpan.FromSeconds(1)),
            "hang past the timeout" => FakeResponse.Hang,
            _ => new FakeResponse(int.Parse(fault, System.Globalization.CultureInfo.InvariantCulture)),
        };
        // The first requests fail, whichever events they belong to; two in a row for one call at most
        // fit the fixture's three attempts.
        pipeline.Convertro.Script(ws.ClientName, response, response);
        var (body, expected) = MixedBatch("t-" + fault.Split(' ')[0], 12);
        using var skips = new OutcomeCounter(pipeline.Host, ws.Id);

        var ingest = await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", body);

        Assert.Equal(HttpStatusCode.Accepted, ingest.StatusCode);
        await Accounting.AssertEveryEventFinalAsync(pipeline, ws, expected, skips);
        var failed = pipeline.Convertro.RequestsFor(ws.ClientName).Count(r => !r.Accepted);
        Assert.Equal(2, failed);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(501)]
    public async Task Deliver_PermanentError_DeadLetteredAtOnceWithStatusAndNeverRetried(int status)
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var ids = Enumerable.Range(0, 5).Select(i => $"p{status}-{i}").ToList();
        pipeline.Convertro.Script(ws.ClientName, [.. ids.Select(_ => new FakeResponse(status, """{"error":"no"}"""))]);

        await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Array([.. ids.Select(id => Segment.Identify(id))]));

        await Accounting.AssertEveryEventFinalAsync(pipeline, ws, [.. ids.Select(ExpectedOutcome.DeadLetter)]);
        Assert.Equal(5, pipeline.Convertro.RequestsFor(ws.ClientName).Count);
        Assert.All(await pipeline.DeadLettersAsync(ws.Id), letter =>
        {
            Assert.Equal(status, letter.GetProperty("lastStatus").GetInt32());
            Assert.Equal(1, letter.GetProperty("attempts").GetInt32());
            Assert.Contains($"Convertro answered {status}", letter.GetProperty("reason").GetString());
            Assert.Equal("""{"error":"no"}""", letter.GetProperty("responseExcerpt").GetString());
        });
    }

    [Fact]
    public async Task Deliver_TransientFaultOutlastsTheSchedule_DeadLetteredWithTheLastError()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        pipeline.Convertro.Script(ws.ClientName, new FakeResponse(500), new FakeResponse(503), new FakeResponse(502, "gateway"));

        await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Identify("exhaust-1").ToJsonString());

        await Accounting.AssertEveryEventFinalAsync(pipeline, ws, [ExpectedOutcome.DeadLetter("exhaust-1")]);
        var letter = Assert.Single(await pipeline.DeadLettersAsync(ws.Id));
        Assert.Equal(502, letter.GetProperty("lastStatus").GetInt32());
        Assert.StartsWith("Gave up after 3 attempts", letter.GetProperty("reason").GetString());
    }

    /// <summary>
    /// Identify, plain track, and hybrid orders (two calls each), plus skipped events.
    /// </summary>
    internal static (string Body, List<ExpectedOutcome> Expected) MixedBatch(string prefix, int count)
    {
        var events = new List<JsonObject>();
        var expected = new List<ExpectedOutcome>();
        for (var i = 0; i < count; i++)
        {
            var id = $"{prefix}-{i:D4}";
            switch (i % 4)
            {
                case 0:
                    events.Add(Segment.Identify(id));
                    expected.Add(ExpectedOutcome.Delivered(id, "users"));
                    break;
                case 1:
                    events.Add(Segment.Track(id, "Signed Up"));
                    expected.Add(ExpectedOutcome.Delivered(id, "events:Signed Up"));
                    break;
                case 2:
                    events.Add(Segment.Track(id, "Order Completed", new JsonObject { ["order_id"] = id, ["total"] = 5, ["repeat"] = true }));
                    expected.Add(ExpectedOutcome.Delivered(id, "events:sale.repeat", "events:sale"));
                    break;
                default:
                    events.Add(Segment.Track(id, "Signed Up", deviceId: null));
                    expected.Add(ExpectedOutcome.Skipped(id, "no_device_id"));
                    break;
            }
        }
        return (Segment.Array([.. events]), expected);
    }
}
