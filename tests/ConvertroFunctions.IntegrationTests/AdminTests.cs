using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConvertroFunctions.IntegrationTests.Infrastructure;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>The admin contract (docs/api.md) through LocalHost.</summary>
public sealed class AdminTests(PipelineFixture pipeline) : IClassFixture<PipelineFixture>
{
    private readonly HttpClient _client = pipeline.Client;

    private static object Settings(string account = "acme", object? events = null, string? secret = null, bool? secretSet = null) => new Dictionary<string, object?>
    {
        ["account"] = account,
        ["clientName"] = "Acme Inc",
        ["siteId"] = "1234",
        ["domain"] = "acme.convertro.com",
        ["events"] = events,
        ["sharedSecret"] = secret,
        ["sharedSecretSet"] = secretSet,
    };

    private static string NewId() => "admin-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Put_NewThenExisting_201Then200AndGetShowsSettingsWithoutSecret()
    {
        var id = NewId();

        var created = await _client.PutAsJsonAsync($"/api/workspaces/{id}", Settings(secret: "s3cr3t", events: new { SignedUp = "signup" }));
        var replaced = await _client.PutAsJsonAsync($"/api/workspaces/{id}", Settings(account: "acme-2", secret: "s3cr3t"));
        var fetched = await _client.GetAsync($"/api/workspaces/{id}");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/workspaces/{id}", created.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        var text = await fetched.Content.ReadAsStringAsync();
        Assert.DoesNotContain("s3cr3t", text);
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal(id, json.GetProperty("workspaceId").GetString());
        Assert.Equal("acme-2", json.GetProperty("account").GetString());
        Assert.True(json.GetProperty("sharedSecretSet").GetBoolean());
        Assert.True(json.GetProperty("enabled").GetBoolean());
        Assert.False(json.GetProperty("hybridAttributionModel").GetBoolean());
        Assert.Empty(json.GetProperty("events").EnumerateObject());
    }

    [Fact]
    public async Task Put_InvalidSettings_400ListingEveryProblemAndNothingSaved()
    {
        var id = NewId();

        var response = await _client.PutAsJsonAsync($"/api/workspaces/{id}", new { domain = "https://acme.convertro.com/x", hybridAttributionModel = "yes", siteID = "1" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.Equal(["Please enter your Convertro Account Name."], errors.GetProperty("account").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["account", "clientName", "domain", "hybridAttributionModel", "siteID", "siteId"],
            errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/workspaces/{id}")).StatusCode);
    }

    [Fact]
    public async Task Put_AnalyticsJsEventsArray_StoredAsMap()
    {
        var id = NewId();

        await _client.PutAsJsonAsync($"/api/workspaces/{id}", Settings(events: new[] { new { key = "Signed Up", value = "signup" } }));

        var events = (await (await _client.GetAsync($"/api/workspaces/{id}")).JsonAsync()).GetProperty("events");
        Assert.Equal("signup", events.GetProperty("Signed Up").GetString());
    }

    [Fact]
    public async Task Put_GetOutputSentBack_KeepsTheStoredSecret()
    {
        var id = NewId();
        await _client.PutAsJsonAsync($"/api/workspaces/{id}", Settings(secret: "keep-me"));
        var fetched = JsonNode.Parse(await _client.GetStringAsync($"/api/workspaces/{id}"))!.AsObject();
        fetched["hybridAttributionModel"] = true;

        var response = await _client.PutAsync($"/api/workspaces/{id}", JsonContent.Create(fetched));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("sharedSecretSet").GetBoolean());
        var body = Segment.Identify("round-trip").ToJsonString();
        var unsigned = await _client.PostJsonAsync($"/api/segment/{id}", body);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
    }

    [Theory]
    [InlineData("bad id!")]
    [InlineData("_reserved")]
    public async Task Put_InvalidWorkspaceId_400(string id)
    {
        var response = await _client.PutAsJsonAsync($"/api/workspaces/{Uri.EscapeDataString(id)}", Settings());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("workspaceId", out _));
    }

    [Fact]
    public async Task Put_WrongContentTypeOrMalformed_415And400()
    {
        var id = NewId();

        var wrongType = await _client.PutAsync($"/api/workspaces/{id}", new StringContent("account=acme"));
        var malformed = await _client.PutAsync($"/api/workspaces/{id}", new StringContent("{\"account\":", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Fact]
    public async Task Put_InvalidUtf8OrUnpairedSurrogate_400NamingWhereAndNothingSaved()
    {
        var id = NewId();
        byte[] notUtf8 = [.. "{\"account\":\"ac"u8, 0xFF, .. "me\"}"u8];
        var surrogate = "{\"account\":\"acme\\ud800\",\"clientName\":\"c\",\"siteId\":\"s\",\"domain\":\"acme.convertro.com\"}";

        var badBytes = await _client.PutAsync($"/api/workspaces/{id}", new ByteArrayContent(notUtf8) { Headers = { { "Content-Type", "application/json" } } });
        var badText = await _client.PutAsync($"/api/workspaces/{id}", new StringContent(surrogate, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, badBytes.StatusCode);
        Assert.Contains("not valid UTF-8", (await badBytes.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, badText.StatusCode);
        Assert.StartsWith("account: holds an unpaired UTF-16 surrogate", (await badText.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/workspaces/{id}")).StatusCode);
    }

    [Fact]
    public async Task Put_DuplicatePropertyName_400NamingItAndNothingSaved()
    {
        var id = NewId();
        const string body = "{\"account\":\"acme\",\"account\":\"other\",\"clientName\":\"c\",\"siteId\":\"s\",\"domain\":\"acme.convertro.com\"}";

        var response = await _client.PutAsync($"/api/workspaces/{id}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("body: property \"account\" appears twice; which one counts is undefined.",
            (await response.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/workspaces/{id}")).StatusCode);
    }

    [Fact]
    public async Task Delete_ExistingAndMissing_204AndThenGet404()
    {
        var id = NewId();
        await _client.PutAsJsonAsync($"/api/workspaces/{id}", Settings());

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/api/workspaces/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/api/workspaces/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/workspaces/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.PostJsonAsync($"/api/segment/{id}", Segment.Identify("m").ToJsonString())).StatusCode);
    }

    [Fact]
    public async Task Preview_MixedEvents_ShowsCallsSkipsAndErrorsAndSendsNothing()
    {
        var ws = await pipeline.NewWorkspaceAsync(hybrid: true);
        var order = Segment.Track("pv-1", "Order Completed", new JsonObject { ["order_id"] = "o-9", ["total"] = 12.5, ["repeat"] = false });
        var body = Segment.Array(order, Segment.Page("pv-2"), new JsonObject { ["type"] = "identify", ["messageId"] = "pv-3" });

        var response = await _client.PostJsonAsync($"/api/workspaces/{ws.Id}/preview", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = (await response.JsonAsync()).GetProperty("events").EnumerateArray().ToList();
        var calls = events[0].GetProperty("calls").EnumerateArray().ToList();
        Assert.Equal(2, calls.Count);
        var origin = pipeline.Convertro.BaseUrl.GetLeftPart(UriPartial.Authority);
        Assert.Equal(origin + Segment.ExpectedEvent(ws, "o-9", "sale.new", "12.5"), calls[0].GetProperty("url").GetString());
        Assert.Equal(origin + Segment.ExpectedEvent(ws, "o-9", "sale", "12.5"), calls[1].GetProperty("url").GetString());
        Assert.Equal("GET", calls[0].GetProperty("method").GetString());
        Assert.Equal("events:sale.new", calls[0].GetProperty("key").GetString());
        var parameters = calls[0].GetProperty("parameters");
        Assert.Equal(["sid", "did", "typ", "val", "eid", "ts"], parameters.EnumerateObject().Select(p => p.Name));
        Assert.Equal("sale.new", parameters.GetProperty("typ").GetString());
        Assert.Equal("12.5", parameters.GetProperty("val").GetString());
        Assert.Equal("type_not_sent", events[1].GetProperty("skipped").GetProperty("code").GetString());
        Assert.Equal("pv-3", events[2].GetProperty("messageId").GetString());
        Assert.Contains("userId/anonymousId", events[2].GetProperty("errors")[0].GetString());
        await Task.Delay(500);
        Assert.Empty(pipeline.Convertro.RequestsFor(ws.ClientName));
    }

    [Fact]
    public async Task Preview_UnknownWorkspace_404()
    {
        var response = await _client.PostJsonAsync("/api/workspaces/nobody-here/preview", Segment.Identify("m").ToJsonString());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("ten")]
    public async Task DeadLetters_BadLimit_400NamingLimit(string limit)
    {
        var ws = await pipeline.NewWorkspaceAsync();

        var response = await _client.GetAsync($"/api/workspaces/{ws.Id}/dead-letters?limit={limit}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("limit", out _));
    }

    [Fact]
    public async Task Replay_BadBodyOrUnknownWorkspace_400And404()
    {
        var ws = await pipeline.NewWorkspaceAsync();

        var badBody = await _client.PostJsonAsync($"/api/workspaces/{ws.Id}/dead-letters/replay", """{"ids":"all"}""");
        var unknown = await _client.PostAsync($"/api/workspaces/{NewId()}/dead-letters/replay", null);
        var nothing = await _client.PostAsync($"/api/workspaces/{ws.Id}/dead-letters/replay", null);

        Assert.Equal(HttpStatusCode.BadRequest, badBody.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, nothing.StatusCode);
        Assert.Equal(0, (await nothing.JsonAsync()).GetProperty("replayed").GetInt32());
    }

    [Fact]
    public async Task Health_StorageUp_200()
    {
        var response = await _client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", (await response.JsonAsync()).GetProperty("status").GetString());
    }
}
