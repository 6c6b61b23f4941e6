using System.Net;
using System.Net.Http.Json;
using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Workspaces;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost;
using Microsoft.Extensions.DependencyInjection;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>A pipeline that also allows a first-party tracking domain.</summary>
public sealed class FirstPartyDomainPipeline : PipelineFixture
{
    public const string FirstParty = ".track.acme-shop.com";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Convertro:AllowedDomainSuffixes", ".convertro.com, " + FirstParty)];
}

/// <summary>
/// Calls go only to Convertro (docs/operations.md, "Security"): a workspace's domain must end with
/// one of <c>Convertro__AllowedDomainSuffixes</c>, at PUT, preview and delivery; redirects are
/// followed only to the same host.
/// </summary>
public sealed class DestinationTests(FirstPartyDomainPipeline pipeline) : IClassFixture<FirstPartyDomainPipeline>
{
    private HttpClient Client => pipeline.Client;

    [Theory]
    [InlineData("169.254.169.254", "an IP address")]
    [InlineData("10.0.0.7", "an IP address")]
    [InlineData("localhost", "Convertro__AllowedDomainSuffixes")]
    [InlineData("metadata.google.internal", "Convertro__AllowedDomainSuffixes")]
    [InlineData("d.com", "Convertro__AllowedDomainSuffixes")]
    [InlineData("evilconvertro.com", "Convertro__AllowedDomainSuffixes")]
    public async Task Put_DomainOutsideTheAllowedSuffixes_400NamingDomainAndNothingSaved(string domain, string named)
    {
        var id = "dest-" + Guid.NewGuid().ToString("N")[..10];

        var response = await Client.PutAsJsonAsync($"/api/workspaces/{id}", Settings(domain));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        var message = Assert.Single(errors.GetProperty("domain").EnumerateArray()).GetString();
        Assert.Contains(named, message);
        Assert.Single(errors.EnumerateObject());
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync($"/api/workspaces/{id}")).StatusCode);
    }

    [Theory]
    [InlineData("acme.sp1.convertro.com")]
    [InlineData("ACME.Convertro.com")]
    [InlineData("t" + FirstPartyDomainPipeline.FirstParty)]
    public async Task Put_ConvertroOrConfiguredFirstPartyDomain_Saved(string domain)
    {
        var id = "dest-" + Guid.NewGuid().ToString("N")[..10];

        var response = await Client.PutAsJsonAsync($"/api/workspaces/{id}", Settings(domain));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(domain.ToLowerInvariant(), (await response.JsonAsync()).GetProperty("domain").GetString());
    }

    [Fact]
    public async Task PreviewAndDelivery_StoredDomainNoLongerAllowed_PreviewRefusesItAndDeliveryDeadLettersAsWorkspaceUnavailable()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        // Saved before the rule (or under a wider setting): written straight to the table, as PUT would now refuse it.
        var store = pipeline.Host.App.Services.GetRequiredService<WorkspaceStore>();
        var stored = (await store.GetAsync(ws.Id, default))!;
        await store.SaveAsync(new WorkspaceSettings
        {
            WorkspaceId = stored.WorkspaceId, Account = stored.Account, ClientName = stored.ClientName, SiteId = stored.SiteId,
            Domain = "169.254.169.254", UpdatedAt = DateTimeOffset.UtcNow,
        }, default);
        pipeline.Host.App.Services.GetRequiredService<WorkspaceCache>().Invalidate(ws.Id);

        var preview = await Client.PostJsonAsync($"/api/workspaces/{ws.Id}/preview", Segment.Track("dom-1", "Signed Up").ToJsonString());
        var ingest = await Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Track("dom-2", "Signed Up").ToJsonString());

        Assert.Equal(HttpStatusCode.BadRequest, preview.StatusCode);
        var previewDomain = (await preview.JsonAsync()).GetProperty("errors").GetProperty("domain")[0].GetString();
        Assert.Contains("169.254.169.254", previewDomain);
        Assert.Equal(HttpStatusCode.Accepted, ingest.StatusCode);
        var letter = Assert.Single(await pipeline.WaitForDeadLettersAsync(ws.Id, 1));
        Assert.Equal(ReasonCodes.WorkspaceUnavailable, letter.GetProperty("reasonCode").GetString());
        Assert.Contains("domain", letter.GetProperty("reason").GetString());
        Assert.Empty(pipeline.Convertro.RequestsFor(ws.ClientName));
    }

    [Fact]
    public async Task Deliver_RedirectedToAnotherHost_NotFollowedAndDeadLetteredNamingIt()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        // The same server under another name: the redirect would reach it if it were followed.
        var elsewhere = $"http://localhost:{pipeline.Convertro.BaseUrl.Port}/api/hit/{Uri.EscapeDataString(ws.ClientName)}/1234/?eid=x1";
        pipeline.Convertro.Script(ws.ClientName, FakeResponse.Redirect(elsewhere));

        await Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Track("x1", "Signed Up").ToJsonString());

        var letter = Assert.Single(await pipeline.WaitForDeadLettersAsync(ws.Id, 1));
        Assert.Equal(ReasonCodes.ConvertroRejected, letter.GetProperty("reasonCode").GetString());
        Assert.Equal(302, letter.GetProperty("lastStatus").GetInt32());
        Assert.Contains("another host (localhost)", letter.GetProperty("reason").GetString());
        Assert.Single(pipeline.Convertro.RequestsFor(ws.ClientName));
    }

    private static Dictionary<string, object?> Settings(string domain) => new()
    {
        ["account"] = "acme", ["clientName"] = "Acme Inc", ["siteId"] = "1234", ["domain"] = domain,
    };
}

/// <summary>
/// Connect-time refusal in LocalHost's own Convertro client, live mode (no Convertro__BaseUrl, no
/// sandbox): a host that is, or resolves to, a loopback, link-local or private address is never
/// connected to, whatever passed the domain rule.
/// </summary>
public sealed class ConnectTimeRefusalTests(Backends backends) : IClassFixture<Backends>
{
    [Theory]
    [InlineData("localhost", "loopback")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("10.1.2.3", "private")]
    [InlineData("192.168.0.10", "private")]
    public async Task Send_HostOnAnInternalAddress_RefusedPermanentlyBeforeConnecting(string domain, string kind)
    {
        var settings = PipelineFixture.DefaultSettings(backends.Azurite.ConnectionString, backends.Convertro.BaseUrl);
        settings.Remove("Convertro:BaseUrl");
        await using var host = await LocalHostApp.StartAsync(["--urls", "http://127.0.0.1:0", LocalHostApp.LiveSwitch], settings);
        var client = host.App.Services.GetRequiredService<ConvertroClient>();
        var workspace = new WorkspaceSettings { WorkspaceId = "ws", Account = "a", ClientName = "c", SiteId = "1", Domain = domain };
        var call = new ConvertroCall(ConvertroEndpoint.Events, "c", "1", "dev-1", "m-1", 1_772_359_200, EventType: "signup", Value: 1m);

        var outcome = await client.SendAsync(call, workspace, default);

        Assert.Equal(OutcomeKind.Permanent, outcome.Kind);
        Assert.Null(outcome.Status);
        Assert.Contains($"{domain} is {kind}", outcome.Error);
        Assert.DoesNotContain("?", outcome.Error);
    }
}
