using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>Convertro's tracking API on the wire: what the fake actually received on its request line.</summary>
public sealed class WireTests(PipelineFixture pipeline) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task Deliver_EscapesInPathAndQuery_ArriveOnTheRequestLineUnchanged()
    {
        var ws = await pipeline.NewWorkspaceAsync(clientName: "Acme/EU Büro " + Guid.NewGuid().ToString("N")[..6]);
        var e = Segment.Track("wire-1", "Gift & Card / 10% ü", new JsonObject { ["revenue"] = 12.50 });
        e["context"]!["ip"] = "203.0.113.7";
        e["context"]!["userAgent"] = "Mozilla/5.0 (X11; Linux)";
        e["context"]!["page"] = new JsonObject { ["url"] = "https://shop.example/p?id=1&x=a b", ["referrer"] = "https://ref.example/" };

        await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", e.ToJsonString());

        var request = Assert.Single(await pipeline.Convertro.WaitForAsync(ws.ClientName, 1));
        var expected = $"/api/hit/{Uri.EscapeDataString(ws.ClientName)}/1234/?sid={ConvertroWire.Sid(Segment.DeviceId)}&did=device-1" +
            "&typ=Gift%20%26%20Card%20%2F%2010%25%20%C3%BC&val=12.5&eid=wire-1&ts=1772359200&cip=203.0.113.7" +
            "&cua=Mozilla%2F5.0%20%28X11%3B%20Linux%29&pag=https%3A%2F%2Fshop.example%2Fp%3Fid%3D1%26x%3Da%20b&ref=https%3A%2F%2Fref.example%2F";
        Assert.Equal(expected, request.Target);
        Assert.Contains("/Acme%2FEU%20B%C3%BCro%20", request.Target);
        Assert.Equal(("GET", ""), (request.Method, request.Body));
    }

    [Fact]
    public async Task Deliver_RedirectedThreeTimes_FollowedAndDelivered()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        pipeline.Convertro.Script(ws.ClientName,
            FakeResponse.Redirect($"/moved/1/{Uri.EscapeDataString(ws.ClientName)}/1234/?eid=r1"),
            FakeResponse.Redirect($"/moved/2/{Uri.EscapeDataString(ws.ClientName)}/1234/?eid=r1"),
            FakeResponse.Redirect($"/moved/3/{Uri.EscapeDataString(ws.ClientName)}/1234/?eid=r1"));

        await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Track("r1", "Signed Up").ToJsonString());

        var requests = await pipeline.Convertro.WaitForAsync(ws.ClientName, 4);
        Assert.Equal([302, 302, 302, 200], requests.Select(r => r.Status));
        Assert.StartsWith("/moved/3/", requests[3].Target);
        await Task.Delay(1000);
        Assert.Equal(4, pipeline.Convertro.RequestsFor(ws.ClientName).Count);
        Assert.Empty(await pipeline.DeadLettersAsync(ws.Id));
    }

    [Fact]
    public async Task Deliver_RedirectedFourTimes_DeadLetteredWithTheLastStatus()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var again = $"/again/{Uri.EscapeDataString(ws.ClientName)}/1234/?eid=r2";
        pipeline.Convertro.Script(ws.ClientName, [.. Enumerable.Repeat(FakeResponse.Redirect(again), 4)]);

        await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Track("r2", "Signed Up").ToJsonString());

        var letter = Assert.Single(await pipeline.WaitForDeadLettersAsync(ws.Id, 1));
        Assert.Equal(302, letter.GetProperty("lastStatus").GetInt32());
        Assert.Equal(4, pipeline.Convertro.RequestsFor(ws.ClientName).Count);
    }
}

/// <summary>LocalHost's default Convertro: its own recording sandbox, so nothing leaves the machine.</summary>
public sealed class SandboxTests(Backends backends) : IClassFixture<Backends>
{
    private Dictionary<string, string?> Settings(params (string Key, string? Value)[] changes)
    {
        var settings = PipelineFixture.DefaultSettings(backends.Azurite.ConnectionString, backends.Convertro.BaseUrl);
        settings.Remove("Convertro:BaseUrl");
        foreach (var (key, value) in changes)
        {
            settings[key] = value;
        }
        return settings;
    }

    [Fact]
    public async Task LocalHost_NoBaseUrl_SendsEveryCallToItsSandboxAndListsIt()
    {
        await using var host = await LocalHostApp.StartAsync(["--urls", "http://127.0.0.1:0"], Settings());
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        var ws = await Admin.NewWorkspaceAsync(client, hybrid: true);
        var order = Segment.Track("sb-1", "Order Completed", new JsonObject { ["order_id"] = "sb-1", ["total"] = 9.5, ["repeat"] = true });

        await client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Array(order, Segment.Identify("sb-2")));

        List<JsonElement> requests = [];
        await Eventually.TrueAsync(async () =>
            (requests = [.. (await (await client.GetAsync("/sandbox/convertro/requests")).JsonAsync()).GetProperty("requests").EnumerateArray()]).Count >= 3);
        var origin = host.BaseAddress.GetLeftPart(UriPartial.Authority) + "/sandbox/convertro";
        Assert.Equal(
            new[]
            {
                origin + Segment.ExpectedEvent(ws, "sb-1", "sale.repeat", "9.5"),
                origin + Segment.ExpectedEvent(ws, "sb-1", "sale", "9.5"),
                origin + Segment.ExpectedUser(ws, Segment.UserOf("sb-2")),
            }.Order(),
            requests.Select(r => r.GetProperty("url").GetString()).Order());
        Assert.All(requests, r => Assert.Equal("GET", r.GetProperty("method").GetString()));
        Assert.Equal("sale.repeat", requests.Single(r => r.GetProperty("url").GetString()!.Contains("repeat")).GetProperty("query").GetProperty("typ").GetString());
        Assert.Empty(backends.Convertro.RequestsFor(ws.ClientName));
        Assert.Empty(await Admin.DeadLettersAsync(client, ws.Id));
        Assert.Contains("sandbox at " + origin, host.Banner("storage"));
    }

    [Theory]
    [InlineData("--live", null)]
    [InlineData(null, "false")]
    public async Task LocalHost_LiveOrSandboxOff_TargetsEachWorkspacesOwnDomain(string? arg, string? sandbox)
    {
        // Delivery stays off: nothing may leave this machine in a test; the preview shows where calls would go.
        var settings = Settings(("AzureWebJobs.DeliverFunction.Disabled", "true"), ("Convertro:Sandbox", sandbox));
        await using var host = await LocalHostApp.StartAsync(arg is null ? ["--urls", "http://127.0.0.1:0"] : ["--urls", "http://127.0.0.1:0", arg], settings);
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        var ws = await Admin.NewWorkspaceAsync(client);

        var preview = await (await client.PostJsonAsync($"/api/workspaces/{ws.Id}/preview", Segment.Identify("live-1").ToJsonString())).JsonAsync();

        var url = preview.GetProperty("events")[0].GetProperty("calls")[0].GetProperty("url").GetString();
        Assert.StartsWith("https://acme.convertro.com/api/user/", url);
        Assert.Contains("https://{domain}", host.Banner("storage"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/sandbox/convertro/requests")).StatusCode);
    }
}

/// <summary>The fake can be told to fail over HTTP, as documented for running it by hand.</summary>
public sealed class FakeConvertroControlTests
{
    [Fact]
    public async Task Script_PostedOverHttp_NextRequestsAnswerAsScripted()
    {
        await using var fake = await FakeConvertro.StartAsync(control: true);
        using var client = new HttpClient { BaseAddress = fake.BaseUrl };

        var scripted = await client.PostJsonAsync("/fake/script",
            """{"clientName":"Acme Inc","steps":[{"status":503,"times":2,"retryAfterSeconds":7}]}""");
        var first = await client.GetAsync("/api/hit/Acme%20Inc/1/?typ=a&eid=1");
        var second = await client.GetAsync("/api/hit/Acme%20Inc/1/?typ=a&eid=2");
        var third = await client.GetAsync("/api/hit/Acme%20Inc/1/?typ=a&eid=3");
        var other = await client.GetAsync("/api/hit/Other/1/?typ=a&eid=4");

        Assert.Equal(HttpStatusCode.OK, scripted.StatusCode);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(7)), (first.StatusCode, first.Headers.RetryAfter!.Delta!.Value));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal((HttpStatusCode.OK, "image/gif"), (third.StatusCode, third.Content.Headers.ContentType!.MediaType));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        var listed = (await (await client.GetAsync("/fake/requests")).JsonAsync()).EnumerateArray().ToList();
        Assert.Equal(["1", "2", "3", "4"], listed.Select(r => r.GetProperty("query").GetProperty("eid").GetString()));
        Assert.Equal([503, 503, 200, 200], listed.Select(r => r.GetProperty("status").GetInt32()));
    }
}
