using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConvertroFunctions.Core.Segment;
using ConvertroFunctions.IntegrationTests.Infrastructure;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// A problem inside one event of a batch rejects that event only (207), never the whole body:
/// Segment does not retry a 400, so every good event sent with it would be lost. Only a body whose
/// top level cannot be read is a 400.
/// </summary>
public sealed class IngestIsolationTests(PipelineFixture pipeline) : IClassFixture<PipelineFixture>
{
    private const string Secret = "isolation-secret";

    private readonly HttpClient _client = pipeline.Client;

    /// <summary>A good event (identify for even <paramref name="i"/>, track for odd) and the calls it should make.</summary>
    private static (string Json, ExpectedOutcome Expected) Good(string id, int i) => i % 2 == 0
        ? (Segment.Identify(id).ToJsonString(), ExpectedOutcome.Delivered(id, "users"))
        : (Segment.Track(id, "Signed Up").ToJsonString(), ExpectedOutcome.Delivered(id, "events:Signed Up"));

    [Fact]
    public async Task Ingest_BatchWithOneEventOfEachFaultyKind_Returns207RejectingExactlyThoseAndDeliversTheRest()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var good = Enumerable.Range(0, 5).Select(i => Good($"iso-good-{i}", i)).ToList();
        var escape = Segment.Identify("iso-escape").ToJsonString().Replace("\"anonymousId\"", "\"anonymous\\qId\"");
        var big = Segment.Track("iso-big", "Signed Up", new JsonObject { ["padding"] = new string('x', 40_000) }).ToJsonString();
        string[] faulty =
        [
            Segment.Identify("iso-dup").ToJsonString().Replace("\"userId\":", "\"userId\":\"someone-else\",\"userId\":"),
            // 1 (the event) + 1 (traits) + 68 = 70 levels.
            Segment.Identify("iso-deep").ToJsonString().Replace("\"traits\":{", "\"traits\":{\"deep\":" + new string('[', 68) + new string(']', 68) + ","),
            escape,
            Segment.Identify("iso-surrogate").ToJsonString().Replace("\"email\":\"", "\"email\":\"\\ud800"),
            big,
        ];
        // Good and faulty alternate: good at 0, 2, 4, 6, 8; faulty at 1, 3, 5, 7, 9.
        var body = "[" + string.Join(",", good.Zip(faulty, (g, f) => g.Json + "," + f)) + "]";

        var response = await _client.PostJsonAsync($"/api/segment/{ws.Id}", body);

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        var json = await response.JsonAsync();
        Assert.Equal(5, json.GetProperty("accepted").GetInt32());
        var rejected = json.GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal([1, 3, 5, 7, 9], rejected.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal(["iso-dup", "iso-deep", "iso-escape", "iso-surrogate", "iso-big"], rejected.Select(r => r.GetProperty("messageId").GetString()));
        Assert.Equal(
        [
            "event: property \"userId\" appears twice; which one counts is undefined.",
            "event: nested deeper than 64 levels (70).",
            $"event: is not valid JSON at byte {escape.IndexOf("\\q", StringComparison.Ordinal) + 1} of the event: 'q' is an invalid escapable character within a JSON string. The string should be correctly escaped.",
            "traits.email: holds an unpaired UTF-16 surrogate escape (\\uD800–\\uDFFF on its own), which is not valid Unicode text.",
            $"event: is {Encoding.UTF8.GetByteCount(big)} bytes; the limit is 32768 bytes (32 KiB) per event.",
        ], rejected.Select(r => Assert.Single(r.GetProperty("errors").EnumerateArray()).GetString()));
        // Convertro receives exactly the good events' calls, each once, and nothing else.
        await Accounting.AssertEveryEventFinalAsync(pipeline, ws, [.. good.Select(g => g.Expected)]);
    }

    [Fact]
    public async Task Ingest_TrackingApiBatchWithABrokenItem_Returns207AndDeliversTheMergedOthers()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var item = Segment.Identify("iso-batch-1", Segment.UserOf("iso-batch-1"), deviceId: null);
        item.Remove("context");
        var broken = Segment.Identify("iso-batch-2").ToJsonString().Replace("\"type\":", "\"type\":\"track\",\"type\":");
        var body = "{\"batch\":[" + item.ToJsonString() + "," + broken + "],\"context\":{\"device\":{\"id\":\"shared-device\"}}}";

        var response = await _client.PostJsonAsync($"/api/segment/{ws.Id}", body);

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        var rejected = Assert.Single((await response.JsonAsync()).GetProperty("rejected").EnumerateArray());
        Assert.Equal((1, "iso-batch-2"), (rejected.GetProperty("index").GetInt32(), rejected.GetProperty("messageId").GetString()));
        Assert.Equal(Segment.ExpectedUser(ws, Segment.UserOf("iso-batch-1"), deviceId: "shared-device"),
            Assert.Single(await pipeline.Convertro.WaitForAsync(ws.ClientName, 1)).Target);
    }

    [Fact]
    public async Task Ingest_SingleEventWithADuplicateKey_Returns400WithItAsRejectedZero()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var body = Segment.Identify("iso-single").ToJsonString().Replace("\"userId\":", "\"userId\":\"a\",\"userId\":");

        var response = await _client.PostJsonAsync($"/api/segment/{ws.Id}", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = await response.JsonAsync();
        Assert.Equal(0, json.GetProperty("accepted").GetInt32());
        var rejected = Assert.Single(json.GetProperty("rejected").EnumerateArray());
        Assert.Equal((0, "iso-single"), (rejected.GetProperty("index").GetInt32(), rejected.GetProperty("messageId").GetString()));
        Assert.Equal("event: property \"userId\" appears twice; which one counts is undefined.", rejected.GetProperty("errors")[0].GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ingest_BodyStartingWithAByteOrderMark_AcceptedAndDelivered(bool signed)
    {
        var ws = await pipeline.NewWorkspaceAsync(sharedSecret: signed ? Secret : null);
        var ids = new[] { "iso-bom-1", "iso-bom-2" }.Select(id => (signed ? "s-" : "u-") + id).ToList();
        var body = "\uFEFF" + Segment.Array([.. ids.Select(id => Segment.Identify(id))]);
        // Segment signs an array's first element; over the exact bytes sent, the BOM included, works too.
        var signature = signed ? SegmentSignature.Compute(Secret, Encoding.UTF8.GetBytes(body)) : null;

        var response = await _client.PostJsonAsync($"/api/segment/{ws.Id}", body, signature);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(2, (await response.JsonAsync()).GetProperty("accepted").GetInt32());
        await Accounting.AssertEveryEventFinalAsync(pipeline, ws, [.. ids.Select(id => ExpectedOutcome.Delivered(id, "users"))]);
    }

    [Theory]
    [InlineData("""[{"type":"identify","messageId":"iso-cut-1","userId":"u"},{"type":"identify","messageId":"iso-cu""",
        "The body is not valid JSON: it ends at byte 96, inside event 1 (which starts at byte 58).")]
    [InlineData("""[{"type":"identify","messageId":"iso-cut-2","userId":"u"},""",
        "The body is not valid JSON: it ends at byte 58, where event 1 should be.")]
    [InlineData("42",
        "The body must be a JSON object (one event), an array of events, or {\"batch\":[…]}; it starts with '4' at byte 0.")]
    [InlineData("""[{"type":"identify","messageId":"iso-cut-3","userId":"u"}] 42""",
        "The body is not valid JSON: unexpected '4' at byte 59, after the end of the array.")]
    public async Task Ingest_TopLevelUnreadable_Returns400SayingWhatAndWhereAndSendsNothing(string body, string detail)
    {
        var ws = await pipeline.NewWorkspaceAsync();

        var response = await _client.PostJsonAsync($"/api/segment/{ws.Id}", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(detail, (await response.JsonAsync()).GetProperty("detail").GetString());
        await Task.Delay(1000);
        Assert.Empty(pipeline.Convertro.RequestsFor(ws.ClientName));
    }

    [Fact]
    public async Task Preview_BatchWithABrokenEvent_ShowsItsErrorAndTheOthersCalls()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var broken = Segment.Identify("iso-pv-2").ToJsonString().Replace("\"traits\":{", "\"traits\":{\"a\\qb\":1,");
        var body = "[" + Segment.Identify("iso-pv-1").ToJsonString() + "," + broken + "]";

        var response = await _client.PostJsonAsync($"/api/workspaces/{ws.Id}/preview", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = (await response.JsonAsync()).GetProperty("events").EnumerateArray().ToList();
        Assert.Equal("users", Assert.Single(events[0].GetProperty("calls").EnumerateArray()).GetProperty("key").GetString());
        Assert.Equal("iso-pv-2", events[1].GetProperty("messageId").GetString());
        Assert.Equal($"event: is not valid JSON at byte {broken.IndexOf("\\q", StringComparison.Ordinal) + 1} of the event: 'q' is an invalid escapable character within a JSON string. The string should be correctly escaped.",
            Assert.Single(events[1].GetProperty("errors").EnumerateArray()).GetString());
        Assert.False(events[1].TryGetProperty("calls", out _));
    }
}
