using System.Net;
using System.Text.Json;
using ConvertroFunctions.Core.Monitoring;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.IntegrationTests.Infrastructure;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// <c>GET /api/overview</c> through LocalHost: each queue's length and oldest waiting message, the
/// dead letters stored and recent by workspace and reason, and the attention items the console's
/// banner shows, with the thresholds they were judged by.
/// </summary>
public sealed class OverviewTests(MonitoredPipeline pipeline) : IClassFixture<MonitoredPipeline>
{
    [Fact]
    public async Task Overview_MessageInThePoisonQueue_PoisonItemAndTheQueuesBacklog()
    {
        await pipeline.PoisonAsync("poisoned-ws", "poisoned-" + Guid.NewGuid().ToString("N")[..8]);

        var overview = await EventuallyAsync(o => Queue(o, StorageNames.PoisonQueue).GetProperty("length").GetInt64() >= 1);

        var poison = Queue(overview, StorageNames.PoisonQueue);
        Assert.True(poison.GetProperty("oldestWaitingSince").ValueKind == JsonValueKind.String, poison.ToString());
        Assert.InRange(poison.GetProperty("oldestWaitingSeconds").GetDouble(), 0, 120);
        var item = Assert.Single(Items(overview), i => i.GetProperty("code").GetString() == Attention.PoisonQueue);
        Assert.StartsWith("The poison queue holds ", item.GetProperty("title").GetString());
        Assert.Contains("DrainPoisonFunction", item.GetProperty("detail").GetString());
        Assert.Equal(JsonValueKind.Object, Queue(overview, StorageNames.EventsQueue).ValueKind);
        var thresholds = overview.GetProperty("thresholds");
        Assert.Equal(30, thresholds.GetProperty("oldestMessageMinutes").GetInt32());
        Assert.Equal(60, thresholds.GetProperty("deadLetterWindowMinutes").GetInt32());
    }

    [Fact]
    public async Task Overview_EventDeadLettered_CountedStoredAndRecentForItsWorkspaceAndReason()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        pipeline.Convertro.Script(ws.ClientName, new FakeResponse(400));
        Assert.Equal(HttpStatusCode.Accepted, (await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Track("dead-1", "Signed Up").ToJsonString())).StatusCode);
        await pipeline.WaitForDeadLettersAsync(ws.Id, 1);

        var overview = await EventuallyAsync(o => Counts(o, ws.Id).Any());

        var count = Assert.Single(Counts(overview, ws.Id));
        Assert.Equal("convertro_rejected", count.GetProperty("reasonCode").GetString());
        Assert.Equal(1, count.GetProperty("stored").GetInt64());
        Assert.Equal(1, count.GetProperty("recent").GetInt64());
        Assert.True(overview.GetProperty("deadLetters").GetProperty("recent").GetInt64() >= 1);
        var item = Assert.Single(Items(overview), i => i.GetProperty("code").GetString() == Attention.DeadLetters);
        Assert.Contains($"{ws.Id}: convertro_rejected 1", item.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Overview_DeadLetterReplayedAway_NoLongerCounted()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        pipeline.Convertro.Script(ws.ClientName, new FakeResponse(400));
        await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Track("replayed-1", "Signed Up").ToJsonString());
        await pipeline.WaitForDeadLettersAsync(ws.Id, 1);
        await EventuallyAsync(o => Counts(o, ws.Id).Any());

        var replay = await pipeline.Client.PostJsonAsync($"/api/workspaces/{ws.Id}/dead-letters/replay", "{}");
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);

        await EventuallyAsync(o => !Counts(o, ws.Id).Any());
    }

    private async Task<JsonElement> EventuallyAsync(Func<JsonElement, bool> condition)
    {
        JsonElement overview = default;
        await Eventually.TrueAsync(async () =>
        {
            var response = await pipeline.Client.GetAsync("/api/overview");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            overview = await response.JsonAsync();
            return condition(overview);
        }, message: () => overview.ToString());
        return overview;
    }

    private static JsonElement Queue(JsonElement overview, string name) =>
        overview.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("queue").GetString() == name);

    private static IEnumerable<JsonElement> Items(JsonElement overview) => overview.GetProperty("attention").EnumerateArray();

    private static IEnumerable<JsonElement> Counts(JsonElement overview, string workspaceId) =>
        overview.GetProperty("deadLetters").GetProperty("byWorkspace").EnumerateArray().Where(c => c.GetProperty("workspaceId").GetString() == workspaceId);
}
