using System.Net;
using System.Net.Http.Json;
using ConvertroFunctions.Core.Http;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost;
using ConvertroFunctions.LocalHost.Azurite;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>Storage unreachable: ingest answers 503 with Retry-After (Segment retries it), health 503.</summary>
public sealed class StorageDownTests(Backends backends) : IClassFixture<Backends>
{
    private readonly AzuriteProcess _azurite = backends.Azurite;
    private readonly FakeConvertro _convertro = backends.Convertro;

    [Fact]
    public async Task Ingest_AllStorageUnreachable_503WithRetryAfterAndHealth503()
    {
        var dead = Ports.Closed();
        await using var host = await StartHostAsync(queuePort: dead, tablePort: dead);
        using var client = new HttpClient { BaseAddress = host.BaseAddress };

        var ingest = await client.PostJsonAsync("/api/segment/any-workspace", Segment.Identify("m").ToJsonString());
        var health = await client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ingest.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(10), ingest.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", ingest.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var status = await health.JsonAsync();
        Assert.Equal("unhealthy", status.GetProperty("status").GetString());
        Assert.NotEqual("ok", status.GetProperty("queue").GetString());
    }

    /// <summary>Every route of the one route table that reads or writes storage; new routes are covered as they are added.</summary>
    public static IEnumerable<object[]> StorageRoutes() =>
        AppFunctions.Endpoints.Where(e => !e.Function.StartsWith("Console", StringComparison.Ordinal)).Select(e => new object[] { e.Function });

    [Theory]
    [MemberData(nameof(StorageRoutes))]
    public async Task AnyRoute_StorageUnreachable_503WithRetryAfterNot500(string function)
    {
        var endpoint = AppFunctions.Endpoints.Single(e => e.Function == function);
        var dead = Ports.Closed();
        await using var host = await StartHostAsync(queuePort: dead, tablePort: dead);
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        var path = "/api/" + endpoint.Route.Replace("{workspaceId}", "some-workspace", StringComparison.Ordinal)
            .Replace("{messageId}", "some-message", StringComparison.Ordinal);
        var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), path);
        if (endpoint.Method is "POST" or "PUT" or "DELETE")
        {
            var body = function switch
            {
                "PutWorkspaceFunction" => """{"account":"a","clientName":"c","siteId":"s","domain":"acme.sp1.convertro.com"}""",
                "IngestFunction" or "PreviewFunction" => Segment.Identify("m").ToJsonString(),
                "DeleteDeadLettersFunction" => """{"all":true}""",
                _ => "{}",
            };
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        if (function != "HealthFunction")
        {
            Assert.Equal(TimeSpan.FromSeconds(10), response.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Health_AzuriteDiesWhileRunning_503AtOnce()
    {
        var azurite = await TestAzurite.StartAsync();
        await using var host = await LocalHostApp.StartAsync(["--urls", "http://127.0.0.1:0"],
            PipelineFixture.DefaultSettings(azurite.ConnectionString, _convertro.BaseUrl));
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/health")).StatusCode);

        azurite.Kill();
        await azurite.DisposeAsync();
        var started = System.Diagnostics.Stopwatch.StartNew();
        var health = await client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"health took {started.Elapsed.TotalSeconds:F1} s to answer");
    }

    [Fact]
    public async Task Ingest_QueueUnreachableTableUp_503WithRetryAfterAfterWorkspaceChecks()
    {
        await using var host = await StartHostAsync(queuePort: Ports.Closed(), tablePort: _azurite.TablePort);
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        var put = await client.PutAsJsonAsync("/api/workspaces/queue-down", new
        {
            account = "acme", clientName = "c", siteId = "s", domain = "acme.convertro.com",
        });
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);

        var unknown = await client.PostJsonAsync("/api/segment/not-there", Segment.Identify("m").ToJsonString());
        var ingest = await client.PostJsonAsync("/api/segment/queue-down", Segment.Identify("m").ToJsonString());

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ingest.StatusCode);
        Assert.NotNull(ingest.Headers.RetryAfter);
        Assert.Contains("repeating the request is safe", (await ingest.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Ingest_StorageRefusesTheWrite_503WithRetryAfterNot500()
    {
        // An Azurite that holds at most 1 MB of messages refuses the rest with a 409.
        await using var small = await AzuriteProcess.StartAsync(
            new AzuriteOptions { BlobPort = 0, QueuePort = 0, TablePort = 0, ExtentMemoryLimitMegabytes = 1 }, _ => { }, default);
        await using var host = await LocalHostApp.StartAsync(["--urls", "http://127.0.0.1:0"],
            PipelineFixture.DefaultSettings(small.ConnectionString, _convertro.BaseUrl));
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        var ws = await Admin.NewWorkspaceAsync(client);
        var batch = Segment.Array([.. Enumerable.Range(0, 1500).Select(i => Segment.Track($"big-{i}", "Signed Up",
            new System.Text.Json.Nodes.JsonObject { ["padding"] = new string('x', 500) }))]);

        var refused = await client.PostJsonAsync($"/api/segment/{ws.Id}", batch);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    [Fact]
    public async Task Health_StorageThatNeverAnswers_503WithinAboutASecond_NamingTheTimeout()
    {
        // Accepts connections (the kernel's backlog) and never answers a request.
        var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var port = ((IPEndPoint)silent.LocalEndpoint).Port;
            await using var host = await StartHostAsync(queuePort: port, tablePort: port);
            using var client = new HttpClient { BaseAddress = host.BaseAddress };

            var started = System.Diagnostics.Stopwatch.StartNew();
            var health = await client.GetAsync("/api/health");
            var elapsed = started.Elapsed;

            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.True(elapsed < TimeSpan.FromSeconds(3), $"health took {elapsed.TotalSeconds:F1} s to answer");
            var status = await health.JsonAsync();
            Assert.Equal("unhealthy", status.GetProperty("status").GetString());
            Assert.Equal("no answer within 1 s", status.GetProperty("queue").GetString());
            Assert.Equal("no answer within 1 s", status.GetProperty("table").GetString());
        }
        finally
        {
            silent.Stop();
        }
    }

    private Task<LocalHostInstance> StartHostAsync(int queuePort, int tablePort)
    {
        var storage = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
            $"AccountKey={AzuriteOptions.DevAccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{_azurite.BlobPort}/devstoreaccount1;" +
            $"QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";
        return LocalHostApp.StartAsync(["--urls", "http://127.0.0.1:0"], PipelineFixture.DefaultSettings(storage, _convertro.BaseUrl));
    }
}
