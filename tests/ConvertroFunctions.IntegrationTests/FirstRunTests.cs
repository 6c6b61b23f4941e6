using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ConvertroFunctions.IntegrationTests.Infrastructure;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>What a new user meets following the README, and what an operator does every day.</summary>
public sealed class FirstRunTests(PipelineFixture pipeline) : IClassFixture<PipelineFixture>
{
    private HttpClient Client => pipeline.Client;

    [Fact]
    public async Task Put_GetEditPutRoundTrip_KeepsTheSharedSecretAndNullRemovesIt()
    {
        var ws = await pipeline.NewWorkspaceAsync(sharedSecret: "round-trip-secret");
        var settings = JsonNode.Parse(await Client.GetStringAsync($"/api/workspaces/{ws.Id}"))!.AsObject();
        settings["hybridAttributionModel"] = true; // the operator's edit; GET never shows the secret

        var put = await Client.PutAsJsonAsync($"/api/workspaces/{ws.Id}", settings);
        var unsigned = await Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Identify("rt-1").ToJsonString());

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.True((await put.JsonAsync()).GetProperty("sharedSecretSet").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);

        settings["sharedSecret"] = null;
        var removed = await Client.PutAsJsonAsync($"/api/workspaces/{ws.Id}", settings);
        Assert.False((await removed.JsonAsync()).GetProperty("sharedSecretSet").GetBoolean());
        Assert.Equal(HttpStatusCode.Accepted, (await Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Identify("rt-2").ToJsonString())).StatusCode);
    }

    [Fact]
    public async Task WorkspaceIds_AnyCase_OneWorkspaceStoredLowerCase()
    {
        var id = "Acme-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var put = await Client.PutAsJsonAsync($"/api/workspaces/{id}", new
        {
            account = "acme", clientName = "Case " + id, siteId = "1", domain = "acme.convertro.com",
        });

        var ingest = await Client.PostJsonAsync($"/api/segment/{id.ToUpperInvariant()}", Segment.Identify("case-1").ToJsonString());
        var get = await Client.GetAsync($"/api/workspaces/{id.ToLowerInvariant()}");

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(id.ToLowerInvariant(), (await put.JsonAsync()).GetProperty("workspaceId").GetString());
        Assert.Equal(HttpStatusCode.Accepted, ingest.StatusCode);
        Assert.Equal(id.ToLowerInvariant(), (await get.JsonAsync()).GetProperty("workspaceId").GetString());
        await pipeline.Convertro.WaitForAsync("Case " + id, 1);
    }

    [Theory]
    [InlineData("GET", "/api/workspaces/-bad-")]
    [InlineData("PUT", "/api/workspaces/-bad-")]
    [InlineData("DELETE", "/api/workspaces/-bad-")]
    [InlineData("POST", "/api/segment/-bad-")]
    [InlineData("POST", "/api/workspaces/-bad-/preview")]
    [InlineData("GET", "/api/workspaces/-bad-/dead-letters")]
    [InlineData("GET", "/api/workspaces/-bad-/stats")]
    [InlineData("GET", "/api/workspaces/-bad-/events/m")]
    public async Task AnyRoute_MalformedWorkspaceId_SameAnswerEverywhere(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("Must be 1–64 characters", (await response.JsonAsync()).GetProperty("errors").GetProperty("workspaceId")[0].GetString());
    }

    [Fact]
    public async Task Ingest_SameSampleTwice_AnswerCountsTheRepeatAndPreviewSaysItWouldSendNothing()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var sample = Segment.Track("sample-1", "Signed Up").ToJsonString();
        Assert.Equal("""{"accepted":1}""", await (await Client.PostJsonAsync($"/api/segment/{ws.Id}", sample)).Content.ReadAsStringAsync());
        await pipeline.Convertro.WaitForAsync(ws.ClientName, 1);
        await Task.Delay(TimeSpan.FromSeconds(1)); // recorded

        var again = await Client.PostJsonAsync($"/api/segment/{ws.Id}", sample);
        var preview = await (await Client.PostJsonAsync($"/api/workspaces/{ws.Id}/preview", sample)).JsonAsync();

        Assert.Equal("""{"accepted":1,"duplicates":1}""", await again.Content.ReadAsStringAsync());
        var repeat = preview.GetProperty("events")[0].GetProperty("repeat");
        Assert.Equal("delivered", repeat.GetProperty("state").GetString());
        Assert.Contains("would send nothing", repeat.GetProperty("note").GetString());
    }

    [Fact]
    public async Task LocalHost_PortAlreadyTaken_SaysWhichAndHowToPickAnotherThenExits1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var start = LocalHostProcess.StartInfo(new Uri($"http://127.0.0.1:{port}"),
            new Dictionary<string, string?> { ["AzureWebJobsStorage"] = pipeline.Azurite.ConnectionString });

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(1, process.ExitCode);
        var message = await errors;
        Assert.Contains($"Port {port} is already in use", message);
        Assert.Contains("--urls http://127.0.0.1:", message);
        var lines = ((await output) + message).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length <= 3, $"{lines.Length} lines:\n{string.Join("\n", lines)}");
    }
}
