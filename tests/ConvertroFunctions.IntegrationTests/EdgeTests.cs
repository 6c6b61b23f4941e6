using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Segment;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost;
using ConvertroFunctions.LocalHost.Sandbox;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// The smaller doors (docs/operations.md, "Security"), the same in both hosts: state-changing
/// requests only with a JSON body (no cross-site form), workspace ids without a trailing newline,
/// admin answers never cached; and LocalHost's own: answering only to its own host names.
/// </summary>
public sealed class EdgeTests(PipelineFixture pipeline) : IClassFixture<PipelineFixture>
{
    private HttpClient Client => pipeline.Client;

    /// <summary>Every state-changing route of the route table, with a workspace that exists.</summary>
    public static TheoryData<string, string> StateChanging()
    {
        var data = new TheoryData<string, string>();
        foreach (var endpoint in AppFunctions.Endpoints.Where(e => e.Method != HttpMethods.Get))
        {
            data.Add(endpoint.Method, endpoint.Route);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(StateChanging))]
    public async Task StateChangingRoute_FormOrTextContentType_415AndNothingChanged(string method, string route)
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var path = "/api/" + route.Replace("{workspaceId}", ws.Id, StringComparison.Ordinal);

        foreach (var (type, body) in new[] { ("application/x-www-form-urlencoded", ""), ("text/plain", "{}"), ("multipart/form-data; boundary=x", "") })
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = content });

            Assert.True(response.StatusCode == HttpStatusCode.UnsupportedMediaType, $"{method} {path} with {type}: {(int)response.StatusCode}");
            Assert.Contains("application/json", (await response.JsonAsync()).GetProperty("detail").GetString());
        }
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync($"/api/workspaces/{ws.Id}")).StatusCode);
    }

    [Theory]
    [InlineData("DELETE", "/api/workspaces/{0}", HttpStatusCode.NoContent)]
    [InlineData("POST", "/api/workspaces/{0}/dead-letters/replay", HttpStatusCode.OK)]
    public async Task StateChangingRoute_NoBodyNoContentType_Allowed(string method, string route, HttpStatusCode expected)
    {
        var ws = await pipeline.NewWorkspaceAsync();

        var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), string.Format(route, ws.Id)));

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("GET")]
    [InlineData("DELETE")]
    public async Task WorkspaceId_EndingInANewline_400NotAStorageError(string method)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), "/api/workspaces/acme%0A");
        if (method == "PUT")
        {
            request.Content = new StringContent("""{"account":"a","clientName":"c","siteId":"s","domain":"acme.convertro.com"}""", Encoding.UTF8, "application/json");
        }

        var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("workspaceId", out _));
    }

    [Fact]
    public async Task AdminAnswers_SuccessAndErrorAlike_NeverCached()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var paths = AppFunctions.Endpoints
            .Where(e => e.Method == HttpMethods.Get && e.Authorization == ApiAuthorization.Function)
            .Select(e => "/api/" + e.Route.Replace("{workspaceId}", ws.Id, StringComparison.Ordinal).Replace("{messageId}", "no-such-event", StringComparison.Ordinal))
            .Concat(["/api/workspaces/no-such-workspace", "/api/workspaces/bad%0Aid/stats", "/api/audit?limit=0"])
            .ToList();
        Assert.Contains(paths, p => p.EndsWith("/api/audit", StringComparison.Ordinal));

        foreach (var path in paths)
        {
            var response = await Client.GetAsync(path);
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"GET {path} ({(int)response.StatusCode}): Cache-Control '{response.Headers.CacheControl}'");
        }
        var put = await Client.PutAsync($"/api/workspaces/{ws.Id}", new StringContent(
            """{"account":"a","clientName":"c","siteId":"s","domain":"acme.convertro.com"}""", Encoding.UTF8, "application/json"));
        Assert.True(put.Headers.CacheControl?.NoStore == true, $"PUT: Cache-Control '{put.Headers.CacheControl}'");
    }

    [Theory]
    [InlineData("rebind.attacker.example")]
    [InlineData("192.0.2.10")]
    public async Task LocalHost_RequestForAnotherHostName_Refused(string host)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/workspaces");
        request.Headers.Host = host;

        var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public async Task LocalHost_RequestForItsLoopbackNames_Served(string host)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/workspaces");
        request.Headers.Host = $"{host}:{pipeline.Host.BaseAddress.Port}";

        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(request)).StatusCode);
    }
}

/// <summary>A pipeline that requires signatures, as the Bicep deployment does.</summary>
public sealed class RequireSignaturePipeline : PipelineFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Ingest:RequireSignature", "true")];
}

/// <summary><c>Ingest__RequireSignature</c>: a workspace without a shared secret accepts nothing.</summary>
public sealed class RequireSignatureTests(RequireSignaturePipeline pipeline) : IClassFixture<RequireSignaturePipeline>
{
    [Fact]
    public async Task Ingest_WorkspaceWithoutSecret_401SayingSignaturesAreRequiredAndNothingQueued()
    {
        var ws = await pipeline.NewWorkspaceAsync();

        var response = await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Identify("unsigned-1").ToJsonString());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var detail = (await response.JsonAsync()).GetProperty("detail").GetString();
        Assert.Contains("Ingest__RequireSignature", detail);
        Assert.Contains("sharedSecret", detail);
        await Task.Delay(500);
        Assert.Empty(pipeline.Convertro.RequestsFor(ws.ClientName));
    }

    [Fact]
    public async Task Ingest_WorkspaceWithSecretAndValidSignature_Accepted()
    {
        var ws = await pipeline.NewWorkspaceAsync(sharedSecret: "required-secret");
        var body = Segment.Identify("signed-1").ToJsonString();

        var response = await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", body,
            signature: SegmentSignature.Compute("required-secret", Encoding.UTF8.GetBytes(body)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}

/// <summary>LocalHost's binding and its sandbox's memory.</summary>
public sealed class LocalHostExposureTests(Backends backends) : IClassFixture<Backends>
{
    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://*:0")]
    [InlineData("http://127.0.0.1:0;http://[::]:0")]
    public async Task Start_NonLoopbackUrlWithoutPublic_RefusedNamingTheSwitch(string urls)
    {
        var settings = PipelineFixture.DefaultSettings(backends.Azurite.ConnectionString, backends.Convertro.BaseUrl);

        var error = await Assert.ThrowsAsync<LocalHostStartException>(() => LocalHostApp.StartAsync(["--urls", urls], settings));

        Assert.Contains(LocalHostApp.PublicSwitch, error.Message);
        Assert.Contains("no key", error.Message);
    }

    [Fact]
    public async Task Start_NonLoopbackUrlWithPublic_ServesAndWarns()
    {
        var settings = PipelineFixture.DefaultSettings(backends.Azurite.ConnectionString, backends.Convertro.BaseUrl);
        var port = LocalHostProcess.FreePort();

        await using var host = await LocalHostProcess.StartAsync(settings, url: new Uri($"http://0.0.0.0:{port}"), args: [LocalHostApp.PublicSwitch]);

        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/api/workspaces")).StatusCode);
        Assert.Contains("WARNING", host.Output);
        Assert.Contains("need no key", host.Output);
    }

    [Fact]
    public async Task Sandbox_HugeBodyPosted_RecordsOnlyItsStart()
    {
        var settings = PipelineFixture.DefaultSettings(backends.Azurite.ConnectionString, backends.Convertro.BaseUrl);
        settings.Remove("Convertro:BaseUrl");
        await using var host = await LocalHostApp.StartAsync(["--urls", "http://127.0.0.1:0"], settings);
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        var huge = new string('x', 1024 * 1024);

        var response = await client.PostAsync(ConvertroSandbox.Prefix + "/gdpr/v1/requests", new StringContent(huge, Encoding.UTF8, "application/json"));
        var recorded = await (await client.GetAsync(ConvertroSandbox.Prefix + "/requests")).JsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = recorded.GetProperty("requests")[0].GetProperty("body").GetString()!;
        Assert.InRange(body.Length, 1, ConvertroSandbox.MaxRecordedBodyChars + 100);
        Assert.Contains("not recorded", body);
    }
}
