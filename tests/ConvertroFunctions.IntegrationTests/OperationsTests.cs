using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// A pipeline whose counts are written every second (the stats may lag by that much), and whose
/// calls may take 10 s, so a call the fake holds for a few seconds is answered, not timed out.
/// </summary>
public sealed class FastStatsPipeline : PipelineFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Stats:FlushSeconds", "1"), new("Delivery:RetryDelays", "00:00:00.300,00:00:00.300"), new("Convertro:TimeoutSeconds", "10")];
}

/// <summary>The operations API: workspaces, counts, one event's story, dead letters by reason.</summary>
public sealed class OperationsTests(FastStatsPipeline pipeline) : IClassFixture<FastStatsPipeline>
{
    private HttpClient Client => pipeline.Client;

    [Fact]
    public async Task ListWorkspaces_SeveralCreated_AllListedSortedById()
    {
        var a = await pipeline.NewWorkspaceAsync();
        var b = await pipeline.NewWorkspaceAsync(sharedSecret: "s");

        var list = (await (await Client.GetAsync("/api/workspaces")).JsonAsync()).GetProperty("workspaces").EnumerateArray().ToList();

        var ids = list.Select(w => w.GetProperty("workspaceId").GetString()!).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Contains(a.Id, ids);
        Assert.True(list.Single(w => w.GetProperty("workspaceId").GetString() == b.Id).GetProperty("sharedSecretSet").GetBoolean());
        Assert.All(list, w => Assert.False(w.TryGetProperty("sharedSecret", out _)));
    }

    [Fact]
    public async Task Stats_ScriptedMix_ExactCountsByReasonAndHour()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        // The first three calls: two refused for good, one failing once (then delivered on retry).
        pipeline.Convertro.Script(ws.ClientName, new FakeResponse(400), new FakeResponse(400), new FakeResponse(503));
        var events = Enumerable.Range(0, 8).Select(i => Segment.Track($"mix-{i}", "Signed Up"))
            .Concat(Enumerable.Range(0, 3).Select(i => Segment.Track($"nodev-{i}", "Signed Up", deviceId: null)))
            .Append(Segment.Page("page-1")).ToArray();

        Assert.Equal(HttpStatusCode.Accepted, (await Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Array(events))).StatusCode);

        JsonElement stats = default;
        await Eventually.TrueAsync(async () =>
        {
            stats = await (await Client.GetAsync($"/api/workspaces/{ws.Id}/stats?hours=3")).JsonAsync();
            return stats.GetProperty("delivered").GetInt64() == 6 && stats.GetProperty("deadLettered").GetInt64() == 2;
        }, message: () => stats.ToString());
        Assert.Equal(12, stats.GetProperty("received").GetInt64());
        Assert.Equal(4, stats.GetProperty("skipped").GetInt64());
        Assert.Equal("""{"no_device_id":3,"type_not_sent":1}""", stats.GetProperty("skippedByReason").GetRawText());
        Assert.Equal("""{"convertro_rejected":2}""", stats.GetProperty("deadLetteredByReason").GetRawText());
        Assert.Equal(1, stats.GetProperty("retrying").GetInt64());
        var hourly = stats.GetProperty("hourly").EnumerateArray().ToList();
        Assert.Equal(3, hourly.Count);
        Assert.Equal((12, 6), (hourly[^1].GetProperty("received").GetInt64(), hourly[^1].GetProperty("delivered").GetInt64()));
        Assert.All(hourly.SkipLast(1), h => Assert.Equal(0, h.GetProperty("received").GetInt64()));
        Assert.Equal(1, stats.GetProperty("lagSeconds").GetInt32());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("169")]
    [InlineData("day")]
    public async Task Stats_BadHours_400NamingHours(string hours)
    {
        var ws = await pipeline.NewWorkspaceAsync();

        var response = await Client.GetAsync($"/api/workspaces/{ws.Id}/stats?hours={hours}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("hours", out _));
    }

    [Fact]
    public async Task EventLookup_EachState_TellsWhatHappened()
    {
        // One workspace (one client name, one script) per scripted state, so a retry of one event
        // can never take the answer scripted for another.
        var held = await ScriptedWorkspaceAsync(new FakeResponse(200, Delay: TimeSpan.FromSeconds(4)));
        var retry = await ScriptedWorkspaceAsync(new FakeResponse(503, RetryAfter: TimeSpan.FromSeconds(60)));
        var refused = await ScriptedWorkspaceAsync(new FakeResponse(404, """{"error":"no such site"}"""));
        var ws = await pipeline.NewWorkspaceAsync(hybrid: true);
        await Post(held, Segment.Identify("held-1"));
        await pipeline.Convertro.WaitForAsync(held.ClientName, 1);
        await Post(retry, Segment.Identify("retry-1"));
        await Post(refused, Segment.Identify("dead-1"));
        await Post(ws, Segment.Array(
            Segment.Track("order-1", "Order Completed", new JsonObject { ["order_id"] = "order-1", ["total"] = 5, ["repeat"] = false }),
            Segment.Track("skip-1", "Signed Up", deviceId: null)));

        var queued = await EventAsync(held, "held-1", "queued");
        var retrying = await EventAsync(retry, "retry-1", "retrying");
        var dead = await EventAsync(refused, "dead-1", "dead-lettered");
        var delivered = await EventAsync(ws, "order-1", "delivered");
        var skipped = await EventAsync(ws, "skip-1", "skipped");

        Assert.Empty(queued.GetProperty("calls").EnumerateArray());
        Assert.Equal(1, retrying.GetProperty("attempts").GetInt32());
        Assert.Equal(503, retrying.GetProperty("lastStatus").GetInt32());
        Assert.True(retrying.GetProperty("nextAttemptAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddSeconds(30));
        Assert.Equal("convertro_rejected", dead.GetProperty("reasonCode").GetString());
        Assert.Equal(404, dead.GetProperty("lastStatus").GetInt32());
        var letter = Assert.Single(await pipeline.DeadLettersAsync(refused.Id));
        Assert.Equal(letter.GetProperty("id").GetString(), dead.GetProperty("deadLetterId").GetString());
        Assert.Equal(["events:sale.new", "events:sale"], delivered.GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("key").GetString()));
        Assert.All(delivered.GetProperty("calls").EnumerateArray(), c => Assert.Equal(200, c.GetProperty("status").GetInt32()));
        Assert.Equal("no_device_id", skipped.GetProperty("reason").GetString());
        await EventAsync(held, "held-1", "delivered"); // once the held call is answered
        Assert.Single(pipeline.Convertro.RequestsFor(held.ClientName));
    }

    private async Task<TestWorkspace> ScriptedWorkspaceAsync(FakeResponse answer)
    {
        var ws = await pipeline.NewWorkspaceAsync(hybrid: true);
        pipeline.Convertro.Script(ws.ClientName, answer);
        return ws;
    }

    [Fact]
    public async Task EventLookup_UnknownMessageIdOrWorkspace_404Explained()
    {
        var ws = await pipeline.NewWorkspaceAsync();

        var unknown = await Client.GetAsync($"/api/workspaces/{ws.Id}/events/never-sent");
        var noWorkspace = await Client.GetAsync("/api/workspaces/nobody-here/events/x");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("never accepted", (await unknown.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, noWorkspace.StatusCode);
        Assert.Equal("Unknown workspace", (await noWorkspace.JsonAsync()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task DeadLetters_MoreThanAThousand_PagedFilteredDeletedAndReplayed()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var store = pipeline.Host.App.Services.GetRequiredService<DeadLetterStore>();
        // Written straight to the table: 1,100 dead letters through Convertro would only slow the test down.
        var now = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(Enumerable.Range(0, 1100), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await store.AddAsync(new DeadLetter
            {
                Id = DeadLetter.NewId(now.AddMilliseconds(-i)), WorkspaceId = ws.Id, MessageId = $"dl-{i}", EventType = "track", EventName = "Signed Up",
                ReasonCode = i % 10 == 0 ? ReasonCodes.RetriesExhausted : ReasonCodes.ConvertroRejected, Reason = "scripted",
                FirstFailureAt = now, LastFailureAt = now, ReceivedAt = now,
                Event = System.Text.Encoding.UTF8.GetBytes(Segment.Track($"dl-{i}", "Signed Up").ToJsonString()),
            }, ct));

        var first = await (await Client.GetAsync($"/api/workspaces/{ws.Id}/dead-letters?limit=1000")).JsonAsync();
        var all = await pipeline.DeadLettersAsync(ws.Id);
        var exhausted = await Admin.DeadLettersAsync(Client, ws.Id, "retries_exhausted");

        Assert.Equal(1000, first.GetProperty("items").GetArrayLength());
        Assert.NotNull(first.GetProperty("continuation").GetString());
        Assert.Equal(1100, all.Select(l => l.GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal(all.Select(l => l.GetProperty("id").GetString()).Order(StringComparer.Ordinal), all.Select(l => l.GetProperty("id").GetString()));
        Assert.Equal(110, exhausted.Count);
        Assert.All(exhausted, l => Assert.Equal("retries_exhausted", l.GetProperty("reasonCode").GetString()));

        var someIds = all.Take(3).Select(l => l.GetProperty("id").GetString()).ToList();
        var deleteSome = await Send(HttpMethod.Delete, $"/api/workspaces/{ws.Id}/dead-letters", new { ids = someIds.Append("no-such-id") });
        var deleteReason = await Send(HttpMethod.Delete, $"/api/workspaces/{ws.Id}/dead-letters", new { all = true, reason = "retries_exhausted" });
        var replayNone = await Client.PostAsJsonAsync($"/api/workspaces/{ws.Id}/dead-letters/replay", new { ids = new[] { "gone" } });

        Assert.Equal("""{"deleted":3,"notFound":["no-such-id"]}""", await deleteSome.Content.ReadAsStringAsync());
        var deletedByReason = (await deleteReason.JsonAsync()).GetProperty("deleted").GetInt32();
        Assert.InRange(deletedByReason, 109, 110); // one of them may have been among the three
        Assert.Equal("""{"replayed":0,"notFound":["gone"],"alreadyDelivered":[],"alreadyQueued":[]}""", await replayNone.Content.ReadAsStringAsync());
        Assert.Equal(1100 - 3 - deletedByReason, (await pipeline.DeadLettersAsync(ws.Id)).Count);
        Assert.Empty(await Admin.DeadLettersAsync(Client, ws.Id, "retries_exhausted"));
    }

    [Fact]
    public async Task DeadLetters_BadReasonOrSelection_400Explained()
    {
        var ws = await pipeline.NewWorkspaceAsync();

        var badReason = await Client.GetAsync($"/api/workspaces/{ws.Id}/dead-letters?reason=oops");
        var deleteWithoutAll = await Send(HttpMethod.Delete, $"/api/workspaces/{ws.Id}/dead-letters", new { });
        var replayAllFalse = await Client.PostAsJsonAsync($"/api/workspaces/{ws.Id}/dead-letters/replay", new { all = false });

        Assert.Equal(HttpStatusCode.BadRequest, badReason.StatusCode);
        Assert.Contains("convertro_rejected", (await badReason.JsonAsync()).GetProperty("errors").GetProperty("reason")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, deleteWithoutAll.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, replayAllFalse.StatusCode);
        Assert.StartsWith("Must be true", (await replayAllFalse.JsonAsync()).GetProperty("errors").GetProperty("all")[0].GetString());
    }

    [Fact]
    public async Task Replay_RetriesExhausted_StartsAFreshScheduleSoOneMoreFailureIsRetried()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        pipeline.Convertro.Script(ws.ClientName, [.. Enumerable.Repeat(new FakeResponse(503), 3)]);
        await Post(ws, Segment.Track("tired-1", "Signed Up"));
        var letter = Assert.Single(await pipeline.WaitForDeadLettersAsync(ws.Id, 1));
        Assert.Equal("retries_exhausted", letter.GetProperty("reasonCode").GetString());

        pipeline.Convertro.Script(ws.ClientName, new FakeResponse(503));
        await Client.PostAsJsonAsync($"/api/workspaces/{ws.Id}/dead-letters/replay", new { reason = "retries_exhausted" });

        var delivered = await EventAsync(ws, "tired-1", "delivered");
        Assert.Equal(1, delivered.GetProperty("attempts").GetInt32());
        Assert.Equal(5, pipeline.Convertro.RequestsFor(ws.ClientName).Count);
        Assert.Empty(await pipeline.DeadLettersAsync(ws.Id));
    }

    [Fact]
    public async Task Retry_WorkspaceDisabledMeanwhile_RecordSaysDeadLetteredWithTheLetterThenReplayDelivers()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        pipeline.Convertro.Script(ws.ClientName, new FakeResponse(503, RetryAfter: TimeSpan.FromSeconds(2)));
        await Post(ws, Segment.Track("late-1", "Signed Up"));
        await EventAsync(ws, "late-1", "retrying");

        Assert.Equal(HttpStatusCode.OK, await Admin.PutAsync(Client, ws, enabled: false));
        var dead = await EventAsync(ws, "late-1", "dead-lettered");

        Assert.Equal("workspace_unavailable", dead.GetProperty("reasonCode").GetString());
        var letter = Assert.Single(await pipeline.DeadLettersAsync(ws.Id));
        Assert.Equal(letter.GetProperty("id").GetString(), dead.GetProperty("deadLetterId").GetString());
        Assert.Equal(HttpStatusCode.OK, await Admin.PutAsync(Client, ws, enabled: true));
        await Client.PostAsJsonAsync($"/api/workspaces/{ws.Id}/dead-letters/replay", new { });
        await EventAsync(ws, "late-1", "delivered");
        Assert.Equal(2, pipeline.Convertro.RequestsFor(ws.ClientName).Count);
    }

    [Fact]
    public async Task Replay_DeadLetterByReason_SentAgainAndLookupSaysQueuedThenDelivered()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        pipeline.Convertro.Script(ws.ClientName, new FakeResponse(400));
        await Post(ws, Segment.Track("again-1", "Signed Up"));
        await pipeline.WaitForDeadLettersAsync(ws.Id, 1);

        var replay = await Client.PostAsJsonAsync($"/api/workspaces/{ws.Id}/dead-letters/replay", new { reason = "convertro_rejected" });

        Assert.Equal("""{"replayed":1,"notFound":[],"alreadyDelivered":[],"alreadyQueued":[]}""", await replay.Content.ReadAsStringAsync());
        await EventAsync(ws, "again-1", "delivered");
        Assert.Equal(2, pipeline.Convertro.RequestsFor(ws.ClientName).Count);
    }

    private async Task Post(TestWorkspace ws, JsonObject e) => await Post(ws, e.ToJsonString());

    private async Task Post(TestWorkspace ws, string body) =>
        Assert.Equal(HttpStatusCode.Accepted, (await Client.PostJsonAsync($"/api/segment/{ws.Id}", body)).StatusCode);

    private Task<JsonElement> EventAsync(TestWorkspace ws, string messageId, string state) => Admin.EventAsync(Client, ws, messageId, state);

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, object body) =>
        Client.SendAsync(new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) });
}
