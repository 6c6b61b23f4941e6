using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ConvertroFunctions.Core.Segment;
using ConvertroFunctions.IntegrationTests.Infrastructure;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>A pipeline whose ingest limit is 64 KiB, so 413 is cheap to reach.</summary>
public sealed class SmallBodyPipelineFixture : PipelineFixture
{
    public const int Limit = 64 * 1024;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Ingest:MaxBodyBytes", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}

/// <summary>Every answer of <c>POST /api/segment/{workspaceId}</c> (docs/api.md, "Ingest").</summary>
public sealed class IngestTests(SmallBodyPipelineFixture pipeline) : IClassFixture<SmallBodyPipelineFixture>
{
    private readonly HttpClient _client = pipeline.Client;

    [Fact]
    public async Task Ingest_SomeEventsInvalid_Returns207ListingRejectedAndDeliversTheValidOnes()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var invalid = Segment.Track("bad-1", "Signed Up");
        invalid.Remove("event");
        invalid["timestamp"] = "not a date";
        var body = Segment.Array(Segment.Identify("good-1"), invalid, new JsonObject { ["type"] = "identify", ["userId"] = "u" });

        var response = await _client.PostJsonAsync($"/api/segment/{ws.Id}", body);

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        var json = await response.JsonAsync();
        Assert.Equal(1, json.GetProperty("accepted").GetInt32());
        var rejected = json.GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal([1, 2], rejected.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal("bad-1", rejected[0].GetProperty("messageId").GetString());
        Assert.Equal(
            ["event: is required for a track call.", "timestamp: must be an ISO-8601 date-time, got \"not a date\"."],
            rejected[0].GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["messageId: is required."], rejected[1].GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        var delivered = Assert.Single(await pipeline.Convertro.WaitForAsync(ws.ClientName, 1));
        Assert.Equal(Segment.ExpectedUser(ws, Segment.UserOf("good-1")), delivered.Target);
    }

    [Fact]
    public async Task Ingest_NoValidEvent_Returns400ProblemWithRejectedList()
    {
        var ws = await pipeline.NewWorkspaceAsync();

        var response = await _client.PostJsonAsync($"/api/segment/{ws.Id}", """[{"type":"jump","messageId":"x","userId":"u"}]""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = await response.JsonAsync();
        Assert.Equal(0, json.GetProperty("accepted").GetInt32());
        var rejected = Assert.Single(json.GetProperty("rejected").EnumerateArray());
        Assert.StartsWith("type: must be one of", rejected.GetProperty("errors")[0].GetString());
    }

    [Fact]
    public async Task Ingest_UnknownWorkspace_Returns404Problem()
    {
        var response = await _client.PostJsonAsync("/api/segment/no-such-workspace", Segment.Identify("m").ToJsonString());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("No workspace 'no-such-workspace'", (await response.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Ingest_DisabledWorkspace_Returns403AndSendsNothing()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        await _client.PutAsJsonAsync($"/api/workspaces/{ws.Id}", new
        {
            account = ws.ClientName, clientName = "c", siteId = "s", domain = "acme.convertro.com", enabled = false,
        });

        var response = await _client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Identify("m").ToJsonString());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("disabled", (await response.JsonAsync()).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=iso-8859-1")]
    public async Task Ingest_NotJsonContentType_Returns415(string contentType)
    {
        var ws = await pipeline.NewWorkspaceAsync();

        var response = await _client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Identify("m").ToJsonString(), contentType: contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("Content-Type must be application/json", (await response.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Ingest_ContentLengthOverLimit_Returns413()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var body = "[" + string.Join(",", Enumerable.Repeat(Segment.Identify("m").ToJsonString(), 1000)) + "]";
        Assert.True(Encoding.UTF8.GetByteCount(body) > SmallBodyPipelineFixture.Limit);

        var response = await _client.PostJsonAsync($"/api/segment/{ws.Id}", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("65536 bytes", (await response.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Ingest_UnterminatedChunkedBodyOverLimit_Returns413AndClosesWithoutDrainingTheRest()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(pipeline.Host.BaseAddress.Host, pipeline.Host.BaseAddress.Port);
        var stream = tcp.GetStream();
        var head = $"POST /api/segment/{ws.Id} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var chunk = Encoding.ASCII.GetBytes("4000\r\n" + "[" + new string(' ', 16 * 1024 - 1) + "\r\n");
        for (var i = 0; i < 8; i++)
        {
            // 128 KiB, twice the limit, and the body is never terminated.
            await stream.WriteAsync(chunk);
        }

        // Answered at once and closed: a server draining the body would wait for more (Kestrel gives up after 5 s).
        var answer = await ReadUntilClosedAsync(stream, TimeSpan.FromSeconds(3));

        Assert.StartsWith("HTTP/1.1 413", answer);
        Assert.Contains("65536 bytes", answer);
    }

    /// <summary>Everything the server sends until it closes the connection; fails if it keeps it open waiting for more body.</summary>
    private static async Task<string> ReadUntilClosedAsync(Stream stream, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cts.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The server kept the connection open (waiting to drain the body); it sent: {Encoding.UTF8.GetString(received.ToArray())}");
        }
        catch (IOException)
        {
            // Reset after the answer: closed, as required.
        }
        return Encoding.UTF8.GetString(received.ToArray());
    }

    [Fact]
    public async Task Ingest_MalformedJson_Returns400()
    {
        var ws = await pipeline.NewWorkspaceAsync();

        var response = await _client.PostJsonAsync($"/api/segment/{ws.Id}", """{"type":"identify",""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("The body is not valid JSON", (await response.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Ingest_SignedSingleEvent_AcceptedAndDelivered()
    {
        var ws = await pipeline.NewWorkspaceAsync(sharedSecret: "top-secret");
        const string body = """{"type":"identify","messageId":"signed-1","userId":"user-42","timestamp":"2026-03-01T10:00:00.000Z","traits":{"name":"Zoë \"Z\""},"context":{"device":{"id":"device-1"}}}""";

        var response = await _client.PostJsonAsync($"/api/segment/{ws.Id}", body, SegmentSignature.Compute("top-secret", Encoding.UTF8.GetBytes(body)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(Segment.ExpectedUser(ws, "user-42"), Assert.Single(await pipeline.Convertro.WaitForAsync(ws.ClientName, 1)).Target);
    }

    [Fact]
    public async Task Ingest_BatchSignedOverFirstElement_Accepted()
    {
        var ws = await pipeline.NewWorkspaceAsync(sharedSecret: "top-secret");
        var first = Segment.Identify("batch-signed-1").ToJsonString();
        var body = "[" + first + "," + Segment.Identify("batch-signed-2").ToJsonString() + "]";

        var response = await _client.PostJsonAsync($"/api/segment/{ws.Id}", body, SegmentSignature.Compute("top-secret", Encoding.UTF8.GetBytes(first)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(2, (await response.JsonAsync()).GetProperty("accepted").GetInt32());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0000000000000000000000000000000000000000")]
    [InlineData("signed-with-another-secret")]
    public async Task Ingest_MissingOrWrongSignature_Returns401AndEnqueuesNothing(string? signature)
    {
        var ws = await pipeline.NewWorkspaceAsync(sharedSecret: "top-secret");
        var body = Segment.Identify("unsigned-1").ToJsonString();
        if (signature == "signed-with-another-secret")
        {
            signature = SegmentSignature.Compute("other-secret", Encoding.UTF8.GetBytes(body));
        }

        using var rejected = new OutcomeCounter(pipeline.Host, ws.Id, OutcomeCounter.SignatureRejected);

        var response = await _client.PostJsonAsync($"/api/segment/{ws.Id}", body, signature);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("X-Signature", (await response.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(1, rejected.Total);
        await Task.Delay(1000);
        Assert.Empty(pipeline.Convertro.RequestsFor(ws.ClientName));
    }

    [Fact]
    public async Task Ingest_MalformedJsonWithValidSignature_Returns400NotUnauthorized()
    {
        var ws = await pipeline.NewWorkspaceAsync(sharedSecret: "top-secret");
        const string body = """{"type":""";

        var response = await _client.PostJsonAsync($"/api/segment/{ws.Id}", body, SegmentSignature.Compute("top-secret", Encoding.UTF8.GetBytes(body)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Ingest_TrackingApiBatchShape_TopLevelContextMergedIntoEachEvent()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var item = Segment.Identify("tracking-1", Segment.UserOf("tracking-1"), deviceId: null);
        item.Remove("context");
        var body = new JsonObject
        {
            ["batch"] = new JsonArray(item),
            ["context"] = new JsonObject { ["device"] = new JsonObject { ["id"] = "shared-device" } },
        }.ToJsonString();

        var response = await _client.PostJsonAsync($"/api/segment/{ws.Id}", body);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(Segment.ExpectedUser(ws, Segment.UserOf("tracking-1"), deviceId: "shared-device"),
            Assert.Single(await pipeline.Convertro.WaitForAsync(ws.ClientName, 1)).Target);
    }
}
