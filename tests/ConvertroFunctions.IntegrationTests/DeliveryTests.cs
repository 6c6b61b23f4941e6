using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>From a POST to LocalHost, through the queue, to the fake Convertro and the DeadLetters table.</summary>
public sealed class DeliveryTests(PipelineFixture pipeline) : IClassFixture<PipelineFixture>
{
    private readonly HttpClient _client = pipeline.Client;
    private readonly FakeConvertro _convertro = pipeline.Convertro;

    [Fact]
    public async Task Ingest_SingleTrackEvent_ConvertroReceivesExactlyTheExpectedRequest()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var e = Segment.Track("single-1", "Signed Up", new JsonObject { ["revenue"] = 19.99 });
        using var lag = new OutcomeCounter(pipeline.Host, ws.Id, OutcomeCounter.DeliveryLag);

        var response = await _client.PostJsonAsync($"/api/segment/{ws.Id}", e.ToJsonString());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("""{"accepted":1}""", await response.Content.ReadAsStringAsync());
        var request = Assert.Single(await _convertro.WaitForAsync(ws.ClientName, 1));
        Assert.Equal("GET", request.Method);
        Assert.Equal(Segment.ExpectedEvent(ws, "single-1", "Signed Up", "19.99"), request.Target);
        Assert.Empty(request.Body);
        await Eventually.TrueAsync(() => lag.Total == 1, message: () => "no delivery lag recorded");
        Assert.InRange(lag.Max, 0, 30);
    }

    [Fact]
    public async Task Ingest_Batch1000Events_ConvertroReceivesExactlyTheExpectedRequests()
    {
        var ws = await pipeline.NewWorkspaceAsync(hybrid: true);
        var events = new List<JsonObject>();
        var expected = new List<string>();
        for (var i = 0; i < 1000; i++)
        {
            var id = $"batch-{i:D4}";
            switch (i % 4)
            {
                case 0:
                    events.Add(Segment.Track(id, "Signed Up", new JsonObject { ["revenue"] = i }));
                    expected.Add(Segment.ExpectedEvent(ws, id, "Signed Up", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    break;
                case 1:
                    events.Add(Segment.Identify(id));
                    expected.Add(Segment.ExpectedUser(ws, Segment.UserOf(id)));
                    break;
                case 2:
                    // Hybrid model, repeat false: sale.new and sale.
                    events.Add(Segment.Track(id, "Order Completed", new JsonObject { ["order_id"] = $"o-{i}", ["total"] = 10.5, ["repeat"] = false }));
                    expected.Add(Segment.ExpectedEvent(ws, $"o-{i}", "sale.new", "10.5"));
                    expected.Add(Segment.ExpectedEvent(ws, $"o-{i}", "sale", "10.5"));
                    break;
                default:
                    // Skipped: no device id.
                    events.Add(Segment.Track(id, "Signed Up", deviceId: null));
                    break;
            }
        }

        var response = await _client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Array([.. events]));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1000, (await response.JsonAsync()).GetProperty("accepted").GetInt32());
        var received = await _convertro.WaitForAsync(ws.ClientName, expected.Count, TimeSpan.FromSeconds(90));
        await Task.Delay(500); // nothing more may arrive
        Assert.Equal(expected.Order(StringComparer.Ordinal), _convertro.RequestsFor(ws.ClientName).Select(r => r.Target).Order(StringComparer.Ordinal));
        Assert.All(received, r => Assert.Equal("GET", r.Method));
        Assert.Empty(await pipeline.DeadLettersAsync(ws.Id));
    }

    [Fact]
    public async Task Deliver_PermanentConvertroError_DeadLetteredWithReasonAndReplaySendsItAgain()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        _convertro.Script(ws.ClientName, new FakeResponse(400, """{"error":"unknown site_id 1234"}"""));
        var e = Segment.Track("perm-1", "Signed Up");

        Assert.Equal(HttpStatusCode.Accepted, (await _client.PostJsonAsync($"/api/segment/{ws.Id}", e.ToJsonString())).StatusCode);

        var letter = Assert.Single(await pipeline.WaitForDeadLettersAsync(ws.Id, 1));
        Assert.Equal("perm-1", letter.GetProperty("messageId").GetString());
        Assert.Equal("track", letter.GetProperty("eventType").GetString());
        Assert.Equal("Signed Up", letter.GetProperty("eventName").GetString());
        Assert.Equal(400, letter.GetProperty("lastStatus").GetInt32());
        Assert.Equal(1, letter.GetProperty("attempts").GetInt32());
        Assert.Contains("Convertro answered 400", letter.GetProperty("reason").GetString());
        Assert.Contains("unknown site_id 1234", letter.GetProperty("responseExcerpt").GetString());
        Assert.Equal("perm-1", letter.GetProperty("event").GetProperty("messageId").GetString());
        Assert.Single(_convertro.RequestsFor(ws.ClientName)); // not retried

        var replay = await _client.PostAsJsonAsync($"/api/workspaces/{ws.Id}/dead-letters/replay",
            new { ids = new[] { letter.GetProperty("id").GetString() } });

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(1, (await replay.JsonAsync()).GetProperty("replayed").GetInt32());
        var requests = await _convertro.WaitForAsync(ws.ClientName, 2);
        Assert.Equal(Segment.ExpectedEvent(ws, "perm-1", "Signed Up", "1"), requests[1].Target);
        Assert.Empty(await pipeline.DeadLettersAsync(ws.Id));
    }

    [Fact]
    public async Task Deliver_TransientErrorsThenSuccess_RetriedAndNotDeadLettered()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        _convertro.Script(ws.ClientName, new FakeResponse(503), new FakeResponse(500));

        await _client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Identify("transient-1").ToJsonString());

        var requests = await _convertro.WaitForAsync(ws.ClientName, 3);
        Assert.All(requests, r => Assert.Equal(Segment.ExpectedUser(ws, Segment.UserOf("transient-1")), r.Target));
        await Task.Delay(1000);
        Assert.Equal(3, _convertro.RequestsFor(ws.ClientName).Count);
        Assert.Empty(await pipeline.DeadLettersAsync(ws.Id));
    }

    [Fact]
    public async Task Deliver_TransientErrorsOutlastTheSchedule_DeadLetteredAfterLastAttempt()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        _convertro.Script(ws.ClientName, new FakeResponse(502), new FakeResponse(408), new FakeResponse(503, "try later"));

        await _client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Identify("exhausted-1").ToJsonString());

        var letter = Assert.Single(await pipeline.WaitForDeadLettersAsync(ws.Id, 1));
        Assert.Equal(3, letter.GetProperty("attempts").GetInt32());
        Assert.Equal(503, letter.GetProperty("lastStatus").GetInt32());
        Assert.StartsWith("Gave up after 3 attempts: Convertro answered 503", letter.GetProperty("reason").GetString());
        Assert.True(letter.GetProperty("firstFailureAt").GetDateTimeOffset() < letter.GetProperty("lastFailureAt").GetDateTimeOffset());
        Assert.Equal(3, _convertro.RequestsFor(ws.ClientName).Count);
    }

    [Fact]
    public async Task Deliver_SecondCallFailsTransiently_RetryResendsOnlyTheUndeliveredCall()
    {
        var ws = await pipeline.NewWorkspaceAsync(hybrid: true);
        _convertro.Script(ws.ClientName, new FakeResponse(200), new FakeResponse(503));
        var order = Segment.Track("partial-1", "Order Completed", new JsonObject { ["order_id"] = "o-1", ["total"] = 30, ["repeat"] = true });

        await _client.PostJsonAsync($"/api/segment/{ws.Id}", order.ToJsonString());

        await _convertro.WaitForAsync(ws.ClientName, 3);
        await Task.Delay(1000);
        Assert.Equal(["sale.repeat", "sale", "sale"], _convertro.RequestsFor(ws.ClientName).Select(r => r.EventType));
        Assert.Empty(await pipeline.DeadLettersAsync(ws.Id));
    }

    [Fact]
    public async Task Deliver_RetryAfterHeader_NextAttemptWaitsAtLeastThatLong()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        _convertro.Script(ws.ClientName, new FakeResponse(429, RetryAfter: TimeSpan.FromSeconds(2)));

        await _client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Identify("retry-after-1").ToJsonString());

        var requests = await _convertro.WaitForAsync(ws.ClientName, 2);
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(1.9),
            $"second attempt came {(requests[1].At - requests[0].At).TotalSeconds:F2} s after the first; Retry-After said 2 s");
    }

    [Fact]
    public async Task Deliver_ConvertroTimesOut_TreatedAsTransientAndRetried()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        _convertro.Script(ws.ClientName, new FakeResponse(200, Delay: TimeSpan.FromSeconds(4)));

        await _client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Identify("timeout-1").ToJsonString());

        var requests = await _convertro.WaitForAsync(ws.ClientName, 2);
        Assert.All(requests, r => Assert.Equal(Segment.ExpectedUser(ws, Segment.UserOf("timeout-1")), r.Target));
        Assert.Empty(await pipeline.DeadLettersAsync(ws.Id));
    }

    [Fact]
    public async Task Deliver_SkippedEvents_NotSentNotDeadLetteredButCountedByReason()
    {
        var ws = await pipeline.NewWorkspaceAsync(events: new() { ["Trial Started"] = "trial" });
        using var skipped = new OutcomeCounter(pipeline.Host, ws.Id);
        var body = Segment.Array(
            Segment.Track("skip-1", "Signed Up", deviceId: null),
            Segment.Identify("skip-2", userId: null),
            Segment.Page("skip-3"),
            Segment.Track("skip-4", "Signed Up"),
            Segment.Track("sent-1", "trial started"));

        Assert.Equal(HttpStatusCode.Accepted, (await _client.PostJsonAsync($"/api/segment/{ws.Id}", body)).StatusCode);

        var sent = Assert.Single(await _convertro.WaitForAsync(ws.ClientName, 1));
        Assert.Equal(Segment.ExpectedEvent(ws, "sent-1", "trial", "1"), sent.Target);
        await Eventually.TrueAsync(() => skipped.Total == 4, message: () => $"skipped: {skipped}");
        Assert.Equal(
            new Dictionary<string, long> { ["no_device_id"] = 1, ["identify_without_user_id"] = 1, ["type_not_sent"] = 1, ["event_not_mapped"] = 1 },
            skipped.ByReason);
        await Task.Delay(500);
        Assert.Single(_convertro.RequestsFor(ws.ClientName));
        Assert.Empty(await pipeline.DeadLettersAsync(ws.Id));
    }

    [Fact]
    public async Task Deliver_WorkspaceDeletedAfterIngest_EventDeadLetteredNotLost()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        // Retry-After holds the retry back long enough for the DELETE below to land first.
        _convertro.Script(ws.ClientName, new FakeResponse(503, RetryAfter: TimeSpan.FromSeconds(3)));
        await _client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Identify("deleted-1").ToJsonString());
        await _convertro.WaitForAsync(ws.ClientName, 1);

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/api/workspaces/{ws.Id}")).StatusCode);
        await Eventually.TrueAsync(async () => (await pipeline.Client.GetAsync($"/api/workspaces/{ws.Id}/events/deleted-1")).StatusCode == HttpStatusCode.NotFound
            && await DeadLetteredAsync(ws, "deleted-1"));

        // Its dead letters are kept; the operator recreates the workspace to see them and replay.
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/workspaces/{ws.Id}/dead-letters")).StatusCode);
        await Admin.RecreateAsync(_client, ws);
        var letter = Assert.Single(await pipeline.DeadLettersAsync(ws.Id));
        Assert.Equal("workspace_unavailable", letter.GetProperty("reasonCode").GetString());
        Assert.Contains("does not exist", letter.GetProperty("reason").GetString());
        Assert.Equal("deleted-1", letter.GetProperty("messageId").GetString());
    }

    /// <summary>Whether the DeadLetters table holds the event (read directly: the API answers 404 for a deleted workspace).</summary>
    private async Task<bool> DeadLetteredAsync(TestWorkspace ws, string messageId)
    {
        var table = pipeline.Host.App.Services.GetRequiredService<Core.Storage.StorageClients>().Tables.GetTableClient(Core.Storage.StorageNames.DeadLettersTable);
        await table.CreateIfNotExistsAsync();
        await foreach (var _ in table.QueryAsync<Azure.Data.Tables.TableEntity>(Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {ws.Id} and MessageId eq {messageId}")))
        {
            return true;
        }
        return false;
    }
}
