using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ConvertroFunctions.BrowserTests;

/// <summary>A pipeline whose counts are written every second, so the stats (and the console) catch up quickly.</summary>
public sealed class ConsolePipeline : PipelineFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Stats:FlushSeconds", "1")];
}

/// <summary>
/// The console (GET /api/console) in a real headless Chromium against a real LocalHost, Azurite and
/// fake Convertro: what an operator sees and does, checked against the JSON API and the fake.
/// Every test ends with no script error, no request off the app's origin, and the page's ?code=
/// sent as x-functions-key on every API call.
/// </summary>
public sealed class ConsoleBrowserTests(ConsolePipeline pipeline) : IClassFixture<ConsolePipeline>
{
    private static readonly string[] Counts = ["received", "delivered", "skipped", "deadLettered", "retrying"];

    [Fact]
    public async Task Workspaces_ScriptedMix_CountsMatchTheStatsApiAndTheChartHasEveryHour()
    {
        var ws = await ScriptedMixAsync();
        var stats = await StatsAsync(ws);

        await using var browser = await ConsoleBrowser.OpenAsync(pipeline.Host.BaseAddress);
        var row = browser.Page.Locator($"#workspaces-table tr[data-workspace='{ws.Id}']");

        foreach (var count in Counts)
        {
            await Expect(row.Locator($"[data-count={count}]")).ToHaveTextAsync(stats.GetProperty(count).GetInt64().ToString(), new() { UseInnerText = true });
        }
        await Expect(row.Locator(".reasons")).ToContainTextAsync("skipped: no_device_id 1, type_not_sent 1");
        await Expect(row.Locator(".reasons")).ToContainTextAsync("dead-lettered: convertro_rejected 1");
        var hours = stats.GetProperty("hourly").EnumerateArray().Select(h => h.GetProperty("hour").GetString()!).ToList();
        Assert.Equal(hours, await row.Locator("svg.chart g.hour").EvaluateAllAsync<string[]>("gs => gs.map(g => g.getAttribute('data-hour'))"));
        await Expect(row.Locator("svg.chart")).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex(
            "received 7, delivered 4, skipped 2, dead-lettered 1"));
        await Expect(browser.Page.Locator("#workspaces-note")).ToContainTextAsync("lag by up to 1 s");
        await browser.AssertCleanAsync();
    }

    [Fact]
    public async Task EventLookup_DeliveredDeadLetteredAndUnknown_StateCallsAndReasonShown()
    {
        var ws = await ScriptedMixAsync();
        await using var browser = await ConsoleBrowser.OpenAsync(pipeline.Host.BaseAddress);
        browser.ExpectErrorAnswer($"/api/workspaces/{ws.Id}/events/never-sent");
        var result = browser.Page.Locator("#event-result");

        await LookUpAsync(browser, ws, "ok-1");
        await Expect(result.Locator("[data-state]")).ToHaveTextAsync("delivered");
        await Expect(result.Locator("table tbody tr")).ToHaveCountAsync(1);
        await Expect(result.Locator("table tbody tr td").Nth(1)).ToHaveTextAsync("200");

        await LookUpAsync(browser, ws, "dead-1");
        await Expect(result.Locator("[data-state]")).ToHaveTextAsync("dead-lettered");
        await Expect(result).ToContainTextAsync("convertro_rejected");
        await Expect(result).ToContainTextAsync("400");

        await LookUpAsync(browser, ws, "never-sent");
        await Expect(result.Locator(".error")).ToContainTextAsync("404 Unknown event");
        await Expect(result.Locator(".error")).ToContainTextAsync("never accepted");
        await browser.AssertCleanAsync();
    }

    [Fact]
    public async Task DeadLetters_ReplayConfirmedOnThePage_DeliveredAgainAndANotFoundIsShown()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        pipeline.Convertro.Script(ws.ClientName, new FakeResponse(400), new FakeResponse(400));
        await PostAsync(ws, Segment.Track("dead-1", "Signed Up"));
        await PostAsync(ws, Segment.Track("dead-2", "Signed Up"));
        var letters = await pipeline.WaitForDeadLettersAsync(ws.Id, 2);
        await using var browser = await ConsoleBrowser.OpenAsync(pipeline.Host.BaseAddress);
        var page = browser.Page;

        await page.SelectOptionAsync("#dead-letters-workspace", ws.Id);
        await page.SelectOptionAsync("#dead-letters-reason", "convertro_rejected");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(page.Locator("#dead-letters-table tbody tr")).ToHaveCountAsync(2);
        await page.GetByRole(AriaRole.Button, new() { Name = "Replay dead-1", Exact = true }).ClickAsync();

        await Expect(page.Locator("#dead-letters-answer")).ToContainTextAsync("Replayed 1. Not found: none.");
        Assert.Contains($"Replay 1 dead letter of workspace {ws.Id}?", Assert.Single(browser.Confirmations));
        var requests = await pipeline.Convertro.WaitForAsync(ws.ClientName, 3);
        Assert.Equal(2, requests.Count(r => r.Belongs("dead-1")));
        Assert.True(requests.Last(r => r.Belongs("dead-1")).Accepted);
        await Expect(page.Locator("#dead-letters-table tbody tr")).ToHaveCountAsync(1);

        // Deleted behind the page's back: the page shows the API's notFound.
        var gone = letters.Single(l => l.GetProperty("messageId").GetString() == "dead-2").GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await pipeline.Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/workspaces/{ws.Id}/dead-letters")
        {
            Content = new StringContent($$"""{"ids":["{{gone}}"]}""", System.Text.Encoding.UTF8, "application/json"),
        })).StatusCode);
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete dead-2", Exact = true }).ClickAsync();
        await Expect(page.Locator("#dead-letters-answer")).ToContainTextAsync($"Deleted 0. Not found: {gone}.");
        Assert.Equal(2, browser.Confirmations.Count);

        await EventuallyDeliveredAsync(ws, "dead-1");
        await LookUpAsync(browser, ws, "dead-1");
        await Expect(page.Locator("#event-result [data-state]")).ToHaveTextAsync("delivered");
        await browser.AssertCleanAsync();
    }

    [Fact]
    public async Task Preview_PastedBatch_CallsSkipsAndRejectionsShown_NothingSent_SandboxOffSaid()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        await using var browser = await ConsoleBrowser.OpenAsync(pipeline.Host.BaseAddress);
        var page = browser.Page;
        var invalid = new JsonObject { ["type"] = "track", ["messageId"] = "p-3", ["userId"] = "u" };

        await page.SelectOptionAsync("#preview-workspace", ws.Id);
        await page.FillAsync("#preview-body", Segment.Array(Segment.Track("p-1", "Signed Up"), Segment.Page("p-2"), invalid));
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview", Exact = true }).ClickAsync();

        var events = page.Locator("#preview-result article");
        await Expect(events).ToHaveCountAsync(3);
        await Expect(events.Nth(0).Locator("code.url")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(
            "^" + System.Text.RegularExpressions.Regex.Escape($"{pipeline.Convertro.BaseUrl}api/hit/") + ".*eid=p-1"));
        await Expect(events.Nth(0).Locator("tr", new() { HasText = "typ" })).ToContainTextAsync("Signed Up");
        await Expect(events.Nth(1)).ToContainTextAsync("Skipped: type_not_sent");
        await Expect(events.Nth(2)).ToContainTextAsync("Rejected");
        await Expect(events.Nth(2)).ToContainTextAsync("event:");

        browser.ExpectErrorAnswer($"/api/workspaces/{ws.Id}/preview");
        await page.FillAsync("#preview-body", "[{\"type\":");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview", Exact = true }).ClickAsync();
        await Expect(page.Locator("#preview-result .error")).ToContainTextAsync("400 Malformed JSON");

        await Expect(page.Locator("#sandbox-result [data-sandbox=off]")).ToBeVisibleAsync();
        Assert.Empty(pipeline.Convertro.RequestsFor(ws.ClientName));
        await browser.AssertCleanAsync();
    }

    /// <summary>
    /// One event dead-lettered (Convertro 400), one delivered after a retry (503, then 200), three
    /// delivered at once, two skipped (no device id; a page call): received 7, delivered 4, skipped 2,
    /// dead-lettered 1, retrying 1, once the stats show it all.
    /// </summary>
    private async Task<TestWorkspace> ScriptedMixAsync()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        pipeline.Convertro.Script(ws.ClientName, new FakeResponse(400));
        await PostAsync(ws, Segment.Track("dead-1", "Signed Up"));
        await pipeline.WaitForDeadLettersAsync(ws.Id, 1);
        pipeline.Convertro.Script(ws.ClientName, new FakeResponse(503));
        await PostAsync(ws, Segment.Track("retry-1", "Signed Up"));
        await pipeline.Convertro.WaitForAsync(ws.ClientName, 3);
        await PostAsync(ws, Segment.Array(
            Segment.Track("ok-1", "Signed Up"), Segment.Track("ok-2", "Signed Up"), Segment.Identify("ok-3"),
            Segment.Track("nodev-1", "Signed Up", deviceId: null), Segment.Page("page-1")));
        JsonElement stats = default;
        await Eventually.TrueAsync(async () =>
        {
            stats = await StatsAsync(ws);
            return Counts.Select(c => stats.GetProperty(c).GetInt64()).SequenceEqual([7L, 4, 2, 1, 1]);
        }, message: () => stats.ToString());
        return ws;
    }

    private async Task<JsonElement> StatsAsync(TestWorkspace ws) =>
        await (await pipeline.Client.GetAsync($"/api/workspaces/{ws.Id}/stats?hours=24")).JsonAsync();

    private async Task PostAsync(TestWorkspace ws, JsonObject e) => await PostAsync(ws, e.ToJsonString());

    private async Task PostAsync(TestWorkspace ws, string body) =>
        Assert.Equal(HttpStatusCode.Accepted, (await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", body)).StatusCode);

    private async Task EventuallyDeliveredAsync(TestWorkspace ws, string messageId) =>
        await Eventually.TrueAsync(async () =>
        {
            var response = await pipeline.Client.GetAsync($"/api/workspaces/{ws.Id}/events/{messageId}");
            return response.StatusCode == HttpStatusCode.OK && (await response.JsonAsync()).GetProperty("state").GetString() == "delivered";
        }, message: () => $"{messageId} never delivered");

    private static async Task LookUpAsync(ConsoleBrowser browser, TestWorkspace ws, string messageId)
    {
        var page = browser.Page;
        await page.SelectOptionAsync("#event-workspace", ws.Id);
        await page.FillAsync("#event-message-id", messageId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Look up" }).ClickAsync();
        await Expect(page.Locator("#event-result")).Not.ToContainTextAsync("Looking up…");
        await Expect(page.Locator("#event-result")).ToContainTextAsync(messageId);
    }
}
