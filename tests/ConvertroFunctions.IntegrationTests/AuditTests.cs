using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConvertroFunctions.Core.Audit;
using ConvertroFunctions.IntegrationTests.Infrastructure;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// Who changed what (docs/api.md, "Audit"): every admin change leaves a record, listed by
/// <c>GET /api/audit</c> newest first, a page at a time, never with a secret or an event's content.
/// </summary>
public sealed class AuditTests(PipelineFixture pipeline) : IClassFixture<PipelineFixture>
{
    private const string Secret = "audit-s3cr3t-value";
    private const string GdprKey = "audit-gdpr-key-value";
    private const string User = "audit.person@example.com";

    private HttpClient Client => pipeline.Client;

    [Fact]
    public async Task EveryAdminChange_RecordedNewestFirstWithWhatWhichWorkspaceAndKey_NoSecretNoEventContent()
    {
        var ws = await pipeline.NewWorkspaceAsync(sharedSecret: Secret);                           // created, secret set
        await Put(ws, new { gdprApiKey = GdprKey, hybridAttributionModel = true });               // replaced, secret set, sharedSecret kept
        await Put(ws, new { sharedSecret = (string?)null });                                       // replaced (hybrid back off), secret removed
        pipeline.Convertro.Script(ws.ClientName, new FakeResponse(400), new FakeResponse(400), new FakeResponse(400));
        await Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Array(
            Segment.Track("audit-1", "Signed Up", userId: User), Segment.Track("audit-2", "Signed Up", userId: User)));
        var letters = await pipeline.WaitForDeadLettersAsync(ws.Id, 2);
        var first = letters[0].GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Client.PostAsJsonAsync($"/api/workspaces/{ws.Id}/dead-letters/replay", new { ids = new[] { first, "no-such-id" } })).StatusCode);
        await Eventually.TrueAsync(async () => (await pipeline.DeadLettersAsync(ws.Id)).Count == 2); // the replay failed again (400)
        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/workspaces/{ws.Id}/dead-letters")
        {
            Content = JsonContent.Create(new { all = true, reason = "convertro_rejected" }),
        })).StatusCode);
        await Client.PostJsonAsync($"/api/segment/{ws.Id}", new JsonObject
        {
            ["type"] = "delete", ["messageId"] = "audit-del", ["userId"] = User, ["context"] = new JsonObject { ["device"] = new JsonObject { ["id"] = "d" } },
        }.ToJsonString());
        await Admin.EventAsync(Client, ws, "audit-del", "skipped");
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/api/workspaces/{ws.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/api/workspaces/{ws.Id}")).StatusCode); // nothing left: no record

        var response = await Client.GetAsync("/api/audit?limit=1000");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var records = JsonDocument.Parse(text).RootElement.GetProperty("items").EnumerateArray()
            .Where(r => r.GetProperty("workspaceId").GetString() == ws.Id).ToList();
        Assert.Equal(
            [
                (AuditActions.WorkspaceDeleted, (string?)null),
                (AuditActions.UserPurged, "deletion request audit-del: 0 dead letter(s) purged, 0 visitor code(s) linked"),
                (AuditActions.DeadLettersDeleted, "2 dead letter(s); all with reason convertro_rejected"),
                (AuditActions.DeadLettersReplayed, $"1 dead letter(s); ids: {first}, no-such-id (1 not found)"),
                (AuditActions.SecretRemoved, "sharedSecret"),
                (AuditActions.WorkspaceReplaced, "changed: hybridAttributionModel"),
                (AuditActions.SecretSet, "gdprApiKey"),
                (AuditActions.WorkspaceReplaced, "changed: hybridAttributionModel"),
                (AuditActions.SecretSet, "sharedSecret"),
                (AuditActions.WorkspaceCreated, null),
            ],
            records.Select(r => (r.GetProperty("action").GetString()!, r.GetProperty("detail").GetString())));
        Assert.All(records, r => Assert.Equal(r.GetProperty("action").GetString() == AuditActions.UserPurged ? AuditCaller.SegmentDelete : "local",
            r.GetProperty("key").GetString()));
        var times = records.Select(r => r.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderDescending(), times);
        Assert.DoesNotContain(Secret, text);
        Assert.DoesNotContain(GdprKey, text);
        Assert.DoesNotContain("audit.person", text);
        Assert.DoesNotContain("Signed Up", text);
    }

    [Fact]
    public async Task List_PagedWithLimit_EachRecordOnceNewestFirst()
    {
        for (var i = 0; i < 5; i++)
        {
            await pipeline.NewWorkspaceAsync();
        }
        var ids = new List<string>();
        string? continuation = null;
        var pages = 0;
        do
        {
            var page = await (await Client.GetAsync("/api/audit?limit=3" + (continuation is null ? "" : "&continuation=" + continuation))).JsonAsync();
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.InRange(items.Count, 1, 3);
            ids.AddRange(items.Select(i => i.GetProperty("id").GetString()!));
            continuation = page.GetProperty("continuation").GetString();
            pages++;
        }
        while (continuation is not null);

        Assert.True(ids.Count >= 5 && pages >= 2, $"{ids.Count} records on {pages} pages");
        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("continuation=not-a-token", "continuation")]
    public async Task List_BadQuery_400NamingTheParameter(string query, string field)
    {
        var response = await Client.GetAsync("/api/audit?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _));
    }

    private async Task Put(TestWorkspace ws, object changes)
    {
        var body = JsonSerializer.SerializeToNode(new { account = TestWorkspace.Account, clientName = ws.ClientName, siteId = TestWorkspace.SiteId, domain = "acme.convertro.com" })!.AsObject();
        foreach (var (name, value) in JsonSerializer.SerializeToNode(changes)!.AsObject())
        {
            body[name] = value?.DeepClone();
        }
        Assert.Equal(HttpStatusCode.OK, (await Client.PutAsJsonAsync($"/api/workspaces/{ws.Id}", body)).StatusCode);
    }
}
