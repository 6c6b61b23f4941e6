using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Privacy;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>LocalHost with Convertro's GDPR API configured (on the fake) and every log line at Information and up captured.</summary>
public sealed class GdprPipeline : PipelineFixture
{
    public LogCapture Logs { get; } = new();

    public Uri GdprApiUrl => new(Convertro.BaseUrl, "/gdpr/v1/requests");

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Convertro:GdprApiUrl", "http://127.0.0.1:1/gdpr/v1/requests"), // replaced once the fake's port is known
        new("Logging:LogLevel:Default", "Information"), new("Logging:LogLevel:ConvertroFunctions", "Information"),
        new("Delivery:RetryDelays", "00:00:00.300,00:00:00.300,00:00:00.300"),
    ];

    protected override void ConfigureHost(WebApplicationBuilder builder)
    {
        builder.Configuration["Convertro:GdprApiUrl"] = GdprApiUrl.ToString();
        builder.Logging.AddProvider(Logs);
    }
}

/// <summary>Segment's deletion requests honoured locally and in Convertro; nothing personal in the logs.</summary>
public sealed class PrivacyTests(GdprPipeline pipeline) : IClassFixture<GdprPipeline>
{
    private HttpClient Client => pipeline.Client;

    private StorageClients Storage => pipeline.Host.App.Services.GetRequiredService<StorageClients>();

    [Fact]
    public async Task Delete_UserWithDeadLetters_TheirsPurgedOthersKeptAuditWithoutTheRawId()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        pipeline.Convertro.Script(ws.ClientName, [.. Enumerable.Repeat(new FakeResponse(400), 3)]);
        await Post(ws, Segment.Array(
            Segment.Track("a-1", "Signed Up", userId: "ann@example.com"),
            Segment.Track("a-2", "Signed Up", userId: "ann@example.com"),
            Segment.Track("b-1", "Signed Up", userId: "bob")));
        await pipeline.WaitForDeadLettersAsync(ws.Id, 3);

        await Post(ws, Delete("del-1", "ann@example.com"));

        var deleted = await EventAsync(ws, "del-1", "skipped");
        Assert.Equal("user_deleted", deleted.GetProperty("reason").GetString());
        var left = await pipeline.DeadLettersAsync(ws.Id);
        Assert.Equal(["b-1"], left.Select(l => l.GetProperty("messageId").GetString()));
        var audit = await RowsAsync(PrivacyAudit.TableName, ws.Id);
        var row = Assert.Single(audit);
        Assert.Equal(2, row.GetInt32("DeadLettersPurged"));
        Assert.Equal("del-1", row.GetString("MessageId"));
        Assert.DoesNotContain(row, kv => kv.Value?.ToString()?.Contains("ann", StringComparison.OrdinalIgnoreCase) == true);
        Assert.Equal(32, row.GetString("UserKey")!.Length);
    }

    [Fact]
    public async Task Delete_UserSeenOnTwoDevicesWithGdprApi_OneEraseEachRetriedWithItsRequestIdThenLinksForgotten()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        await GiveGdprApiKeyAsync(ws, "gdpr-key-1");
        const string user = "jane@example.com";
        await Post(ws, Segment.Array(Segment.Identify("j-1", user, "phone-1"), Segment.Identify("j-2", user, "tablet-2")));
        await pipeline.Convertro.WaitForAsync(ws.ClientName, 2);
        await EventAsync(ws, "j-2", "delivered");
        await EventAsync(ws, "j-1", "delivered");
        pipeline.Convertro.Script(ws.ClientName, new FakeResponse(503)); // the first erase fails once

        await Post(ws, Delete("jane-gone", user));

        var erased = await EventAsync(ws, "jane-gone", "delivered");
        var erases = pipeline.Convertro.RequestsFor(ws.ClientName).Where(r => r.Kind == "erase").ToList();
        Assert.Equal(3, erases.Count);
        var expectedSids = new[] { ConvertroWire.Sid("phone-1"), ConvertroWire.Sid("tablet-2") }.Order();
        Assert.Equal(expectedSids, erases.Where(r => r.Accepted).Select(r => r.ErasedSid).Order());
        Assert.All(erases, r =>
        {
            Assert.Equal(("POST", "/gdpr/v1/requests", "gdpr-key-1"), (r.Method, r.Path, r.ApiKey));
            using var body = JsonDocument.Parse(r.Body);
            Assert.Equal(ws.ClientName, body.RootElement.GetProperty("client_id").GetString());
            Assert.Equal("ERASE", body.RootElement.GetProperty("request_type").GetString());
            Assert.Equal(r.ErasedSid, body.RootElement.GetProperty("sid_cvo_domain").GetString());
            Assert.Equal(UserDeletion.RequestId(ws.Id, "jane-gone", r.ErasedSid!), body.RootElement.GetProperty("request_id").GetString());
        });
        var failedThenRetried = erases.GroupBy(r => r.ErasedSid).Single(g => g.Count() == 2).ToList();
        Assert.Equal(failedThenRetried[0].Json("request_id"), failedThenRetried[1].Json("request_id"));
        Assert.Equal(["erase:" + expectedSids.First(), "erase:" + expectedSids.Last()],
            erased.GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("key").GetString()).Order());
        var links = pipeline.Host.App.Services.GetRequiredService<LinkStore>();
        var key = await pipeline.Host.App.Services.GetRequiredService<UserKeys>().KeyOfAsync(ws.Id, user, default);
        Assert.Empty(await links.LinksAsync(ws.Id, key, default));
    }

    [Fact]
    public async Task Erased_LinkWrittenWhileTheErasesWereSent_KeptForTheNextDeletion()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var services = pipeline.Host.App.Services;
        var links = services.GetRequiredService<LinkStore>();
        var deletion = services.GetRequiredService<UserDeletion>();
        Assert.Equal(HttpStatusCode.OK, (await Client.PutAsJsonAsync($"/api/workspaces/{ws.Id}", new
        {
            account = "acme", clientName = ws.ClientName, siteId = TestWorkspace.SiteId, domain = "acme.convertro.com", gdprApiKey = "gdpr-key-2",
        })).StatusCode);
        var settings = (await services.GetRequiredService<Core.Workspaces.WorkspaceStore>().GetAsync(ws.Id, default))!;
        const string user = "race@example.com";
        await links.RecordAsync(ws.Id, [new UserLink(user, "SIDPHONE2222")], default);

        var erases = await deletion.PurgeAsync(settings, "del-race", user, 0, purge: true, default);
        // The user comes back on a new device while the erases are on their way to Convertro.
        await links.RecordAsync(ws.Id, [new UserLink(user, "SIDTABLET333")], default);
        await deletion.ErasedAsync(ws.Id, erases, default);

        Assert.Equal(["SIDPHONE2222"], erases.Calls.Select(c => c.Sid));
        var key = await services.GetRequiredService<UserKeys>().KeyOfAsync(ws.Id, user, default);
        Assert.Equal(["SIDTABLET333"], (await links.LinksAsync(ws.Id, key, default)).Select(l => l.Sid));
    }

    [Fact]
    public async Task Delete_GdprApiAnswersARedirect_NotFollowedSoTheKeyGoesNowhereElse()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        await GiveGdprApiKeyAsync(ws, "gdpr-key-2");
        const string user = "rita@example.com";
        await Post(ws, Segment.Identify("r-1", user, "phone-r").ToJsonString());
        await EventAsync(ws, "r-1", "delivered");
        pipeline.Convertro.Script(ws.ClientName, FakeResponse.Redirect("/gdpr/v1/elsewhere"));

        await Post(ws, Delete("rita-gone", user));

        var letter = Assert.Single(await pipeline.WaitForDeadLettersAsync(ws.Id, 1));
        Assert.Equal((ReasonCodes.ConvertroRejected, 302), (letter.GetProperty("reasonCode").GetString(), letter.GetProperty("lastStatus").GetInt32()));
        await Task.Delay(500);
        Assert.Single(pipeline.Convertro.RequestsFor(ws.ClientName), r => r.Kind == "erase");
        Assert.DoesNotContain(pipeline.Convertro.Requests, r => r.Path == "/gdpr/v1/elsewhere");
    }

    [Fact]
    public async Task Replay_DeletionDeadLetteredWhileDisabled_PurgesTheUsersDataThen()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        pipeline.Convertro.Script(ws.ClientName, new FakeResponse(400));
        await Post(ws, Segment.Track("c-1", "Signed Up", userId: "cat@example.com").ToJsonString());
        await pipeline.WaitForDeadLettersAsync(ws.Id, 1);
        // A deletion that reached delivery while the workspace was disabled: dead-lettered before any purge
        // (written straight to the table: disabling between ingest and delivery cannot be timed from here).
        var now = DateTimeOffset.UtcNow;
        var deletion = new DeadLetter
        {
            Id = DeadLetter.NewId(now), WorkspaceId = ws.Id, MessageId = "del-c", EventType = "delete",
            ReasonCode = ReasonCodes.WorkspaceUnavailable, Reason = "disabled", FirstFailureAt = now, LastFailureAt = now, ReceivedAt = now,
            Event = System.Text.Encoding.UTF8.GetBytes(Delete("del-c", "cat@example.com")),
        };
        await pipeline.Host.App.Services.GetRequiredService<DeadLetterStore>().AddAsync(deletion, default);

        var replay = await Client.PostAsJsonAsync($"/api/workspaces/{ws.Id}/dead-letters/replay", new { ids = new[] { deletion.Id } });

        Assert.Equal("""{"replayed":1,"notFound":[],"alreadyDelivered":[],"alreadyQueued":[]}""", await replay.Content.ReadAsStringAsync());
        Assert.Equal("user_deleted", (await EventAsync(ws, "del-c", "skipped")).GetProperty("reason").GetString());
        Assert.Empty(await pipeline.DeadLettersAsync(ws.Id));
        var audit = Assert.Single(await RowsAsync(PrivacyAudit.TableName, ws.Id));
        Assert.Equal(("del-c", 1), (audit.GetString("MessageId"), audit.GetInt32("DeadLettersPurged")));
    }

    [Fact]
    public async Task Logs_FullRunWithPersonalValues_NoneOfThemLogged()
    {
        const string email = "planted.person@example.com", ip = "198.51.100.77", agent = "PlantedAgent/9.9 (secret device)";
        var ws = await pipeline.NewWorkspaceAsync();
        JsonObject Planted(JsonObject e)
        {
            e["context"]!["ip"] = ip;
            e["context"]!["userAgent"] = agent;
            e["context"]!["page"] = new JsonObject { ["url"] = $"https://shop.example/?email={email}", ["referrer"] = "https://ref.example/" };
            return e;
        }
        pipeline.Convertro.Script(ws.ClientName, new FakeResponse(503), new FakeResponse(400, """{"error":"bad"}"""));
        var body = Segment.Array(
            Planted(Segment.Identify("p-1", email, "device-p")), Planted(Segment.Track("p-2", "Signed Up", userId: email)),
            Planted(Segment.Track("p-3", "Order Completed", new JsonObject { ["order_id"] = "p-3", ["total"] = 3 }, userId: email)));

        await Post(ws, body);
        await Client.PostJsonAsync($"/api/workspaces/{ws.Id}/preview", body);
        await pipeline.WaitForDeadLettersAsync(ws.Id, 1);
        await Client.GetAsync($"/api/workspaces/{ws.Id}/events/p-1");
        await Post(ws, Delete("p-del", email));
        await EventAsync(ws, "p-del", "skipped");
        await Client.PostJsonAsync($"/api/segment/{ws.Id}", """[{"type":"track","messageId":"p-bad","userId":"planted.person@example.com"}]""");

        var entries = pipeline.Logs.Entries.Where(e => !e.StartsWith("Trace", StringComparison.Ordinal) && !e.StartsWith("Debug", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(entries);
        foreach (var planted in new[] { email, "planted.person", ip, agent, "PlantedAgent", Uri.EscapeDataString(email), Uri.EscapeDataString(agent) })
        {
            Assert.DoesNotContain(entries, e => e.Contains(planted, StringComparison.OrdinalIgnoreCase));
        }
        Assert.Contains(entries, e => e.Contains("p-del", StringComparison.Ordinal)); // correlated by messageId instead
    }

    /// <summary>Gives the workspace a GDPR API key, so a deletion also erases in Convertro.</summary>
    private async Task GiveGdprApiKeyAsync(TestWorkspace ws, string key) =>
        Assert.Equal(HttpStatusCode.OK, (await Client.PutAsJsonAsync($"/api/workspaces/{ws.Id}", new
        {
            account = "acme", clientName = ws.ClientName, siteId = TestWorkspace.SiteId, domain = "acme.convertro.com", gdprApiKey = key,
        })).StatusCode);

    private static string Delete(string messageId, string userId) => new JsonObject
    {
        ["type"] = "delete", ["messageId"] = messageId, ["userId"] = userId, ["receivedAt"] = Segment.ReceivedAt(),
    }.ToJsonString();

    private async Task Post(TestWorkspace ws, string body) =>
        Assert.Equal(HttpStatusCode.Accepted, (await Client.PostJsonAsync($"/api/segment/{ws.Id}", body)).StatusCode);

    private Task<JsonElement> EventAsync(TestWorkspace ws, string messageId, string state) => Admin.EventAsync(Client, ws, messageId, state);

    private async Task<List<TableEntity>> RowsAsync(string table, string partition)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in Storage.Tables.GetTableClient(table).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}")))
        {
            rows.Add(row);
        }
        return rows;
    }
}
