using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ConvertroFunctions.Core.Segment;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost.Azurite;
using Xunit.Abstractions;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// One request cannot take LocalHost down: a body of 4 million tiny elements (8 MB of
/// <c>[0,0,…]</c>, under the 16 MiB body limit) is refused with a short 413 at once, by ingest and
/// by preview alike, without splitting it (docs/api.md, "Limits"). LocalHost runs in a process of
/// its own so its memory can be read.
/// </summary>
public sealed class BodyFloodTests(Backends backends, ITestOutputHelper output) : IClassFixture<Backends>
{
    private const int Elements = 4_000_000;
    private const long MaxAnswerBytes = 64 * 1024;
    private const long MaxGrowthBytes = 100L * 1024 * 1024;
    private static readonly TimeSpan MaxAnswerTime = TimeSpan.FromSeconds(2);

    private readonly AzuriteProcess _azurite = backends.Azurite;
    private readonly FakeConvertro _convertro = backends.Convertro;

    [Fact]
    public async Task IngestAndPreview_EightMegabytesOfZeros_413UnderSixtyFourKilobytesWithinTwoSecondsAndUnderAHundredMegabytesMore()
    {
        var settings = PipelineFixture.DefaultSettings(_azurite.ConnectionString, _convertro.BaseUrl);
        await using var host = await LocalHostProcess.StartAsync(settings);
        var ws = await Admin.NewWorkspaceAsync(host.Client);
        // Warm both routes up (JIT, pools, the storage clients), so the growth measured is the big body's.
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Identify("warm-1").ToJsonString())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostJsonAsync($"/api/workspaces/{ws.Id}/preview", Segment.Identify("warm-2").ToJsonString())).StatusCode);
        var zeros = Zeros(Elements);
        Assert.InRange(zeros.Length, 7_900_000, 8_100_000);
        var before = host.PeakResidentBytes;

        foreach (var path in new[] { $"/api/segment/{ws.Id}", $"/api/workspaces/{ws.Id}/preview" })
        {
            var content = new ByteArrayContent(zeros);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var watch = Stopwatch.StartNew();
            using var response = await host.Client.PostAsync(path, content);
            var answer = await response.Content.ReadAsByteArrayAsync();
            watch.Stop();
            output.WriteLine($"{path}: {(int)response.StatusCode}, {answer.Length} bytes in {watch.Elapsed.TotalMilliseconds:F0} ms");

            Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge,
                $"{path}: {(int)response.StatusCode}, {answer.Length} bytes in {watch.Elapsed.TotalSeconds:F1} s");
            Assert.True(answer.Length < MaxAnswerBytes, $"{path}: answered {answer.Length} bytes");
            Assert.True(watch.Elapsed < MaxAnswerTime, $"{path}: answered after {watch.Elapsed.TotalSeconds:F2} s");
            var detail = Encoding.UTF8.GetString(answer);
            Assert.Contains("4000", detail, StringComparison.Ordinal);
            Assert.Contains("Ingest__MaxEventsPerBody", detail, StringComparison.Ordinal);
        }

        var growth = host.PeakResidentBytes - before;
        output.WriteLine($"peak resident memory: {before / (1024 * 1024)} MB before, grew by {growth / (1024 * 1024)} MB");
        Assert.True(growth < MaxGrowthBytes, $"LocalHost's peak resident memory grew by {growth / (1024 * 1024)} MB");
    }

    /// <summary><c>[0,0,…,0]</c> with <paramref name="count"/> elements.</summary>
    private static byte[] Zeros(int count)
    {
        var body = new byte[count * 2 + 1];
        Array.Fill(body, (byte)',');
        for (var i = 1; i < body.Length; i += 2)
        {
            body[i] = (byte)'0';
        }
        body[0] = (byte)'[';
        body[^1] = (byte)']';
        return body;
    }
}

/// <summary>A pipeline with a cap of 200 events per body, so the cap is cheap to reach.</summary>
public sealed class EventCapPipeline : PipelineFixture
{
    public const int Cap = 200;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Ingest:MaxEventsPerBody", Cap.ToString())];
}

/// <summary>
/// The cap on events per body (<c>Ingest__MaxEventsPerBody</c>) and on the rejections an answer
/// lists, in ingest and preview alike, and the signature checked before the cap.
/// </summary>
public sealed class EventCapTests(EventCapPipeline pipeline) : IClassFixture<EventCapPipeline>
{
    private const string Secret = "cap-secret";

    [Theory]
    [InlineData("/api/segment/{0}")]
    [InlineData("/api/workspaces/{0}/preview")]
    public async Task Post_OneEventMoreThanTheCap_413NamingTheLimitAndTheSetting(string route)
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var body = Segment.Array([.. Enumerable.Range(0, EventCapPipeline.Cap + 1).Select(i => Segment.Identify($"cap-{i}"))]);

        var response = await pipeline.Client.PostJsonAsync(string.Format(route, ws.Id), body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (await response.JsonAsync()).GetProperty("detail").GetString();
        Assert.Contains($"at most {EventCapPipeline.Cap} events", detail);
        Assert.Contains("Ingest__MaxEventsPerBody", detail);
        Assert.Empty(pipeline.Convertro.RequestsFor(ws.ClientName));
    }

    [Fact]
    public async Task Post_ExactlyTheCap_Accepted()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var body = Segment.Array([.. Enumerable.Range(0, EventCapPipeline.Cap).Select(i => Segment.Page($"page-{i}"))]);

        var response = await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", body);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(EventCapPipeline.Cap, (await response.JsonAsync()).GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task Ingest_150InvalidEventsAndOneValid_207ListsTheFirst100AndCountsAll()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var events = Invalid(150).Append(Segment.Identify("good-1")).ToArray();

        var response = await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Array(events));

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        var json = await response.JsonAsync();
        Assert.Equal(1, json.GetProperty("accepted").GetInt32());
        Assert.Equal(150, json.GetProperty("rejectedCount").GetInt32());
        var rejected = json.GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, 100), rejected.Select(r => r.GetProperty("index").GetInt32()));
    }

    [Fact]
    public async Task Ingest_150InvalidEventsOnly_400ListsTheFirst100AndCountsAll()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var events = Invalid(150).ToArray();

        var response = await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Array(events));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = await response.JsonAsync();
        Assert.Equal(150, json.GetProperty("rejectedCount").GetInt32());
        Assert.Equal(100, json.GetProperty("rejected").GetArrayLength());
    }

    [Fact]
    public async Task Preview_150InvalidEventsAndOneValid_ListsTheFirst100RejectionsTheValidOneAndCountsAll()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var events = Invalid(150).Append(Segment.Identify("good-1")).ToArray();

        var response = await pipeline.Client.PostJsonAsync($"/api/workspaces/{ws.Id}/preview", Segment.Array(events));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.JsonAsync();
        Assert.Equal(150, json.GetProperty("rejectedCount").GetInt32());
        var items = json.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(100, items.Count(i => i.TryGetProperty("errors", out _)));
        Assert.Equal([.. Enumerable.Range(0, 100), 150], items.Select(i => i.GetProperty("index").GetInt32()));
        Assert.True(items[^1].TryGetProperty("calls", out _));
    }

    [Fact]
    public async Task Ingest_SignedWorkspaceAndABodyOverTheCap_WrongSignature401RightSignature413()
    {
        var ws = await pipeline.NewWorkspaceAsync(sharedSecret: Secret);
        var events = Enumerable.Range(0, EventCapPipeline.Cap + 1).Select(i => Segment.Identify($"signed-{i}")).ToArray();
        var body = Segment.Array(events);
        var first = Encoding.UTF8.GetBytes(events[0].ToJsonString());

        var wrong = await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", body, signature: new string('0', 40));
        var right = await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", body, signature: SegmentSignature.Compute(Secret, first));

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, right.StatusCode);
    }

    /// <summary>Events every check rejects (an unknown type).</summary>
    private static IEnumerable<JsonObject> Invalid(int count) =>
        Enumerable.Range(0, count).Select(i => new JsonObject { ["type"] = "jump", ["messageId"] = $"bad-{i}", ["userId"] = "u" });
}
