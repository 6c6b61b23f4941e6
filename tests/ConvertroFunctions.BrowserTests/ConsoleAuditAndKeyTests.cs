using System.Net;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ConvertroFunctions.BrowserTests;

/// <summary>
/// The console's audit view (GET /api/audit, newest first, More for the next page), and its key:
/// taken from <c>?code=</c> once, kept in the tab's sessionStorage and removed from the address bar,
/// so it stays out of history and bookmarks, and still sent on every call after a reload.
/// </summary>
public sealed class ConsoleAuditAndKeyTests(ConsolePipeline pipeline) : IClassFixture<ConsolePipeline>
{
    [Fact]
    public async Task Audit_ChangesMade_ListedNewestFirstWithActionWorkspaceKeyAndDetail()
    {
        var ws = await pipeline.NewWorkspaceAsync(sharedSecret: "console-audit-secret");
        Assert.Equal(HttpStatusCode.NoContent, (await pipeline.Client.DeleteAsync($"/api/workspaces/{ws.Id}")).StatusCode);
        await using var browser = await ConsoleBrowser.OpenAsync(pipeline.Host.BaseAddress);
        var page = browser.Page;

        await page.GetByRole(AriaRole.Button, new() { Name = "List changes" }).ClickAsync();

        var rows = page.Locator($"#audit-table tbody tr[data-workspace='{ws.Id}']");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Nth(0)).ToContainTextAsync("workspace_deleted");
        await Expect(rows.Nth(1)).ToContainTextAsync("secret_set");
        await Expect(rows.Nth(1)).ToContainTextAsync("sharedSecret");
        await Expect(rows.Nth(2)).ToContainTextAsync("workspace_created");
        await Expect(rows.Nth(0)).ToContainTextAsync("local");
        await Expect(page.Locator("#audit")).Not.ToContainTextAsync("console-audit-secret");
        await browser.AssertCleanAsync();
    }

    [Fact]
    public async Task Audit_MoreThanOnePage_MoreShowsTheNext()
    {
        for (var i = 0; i < 11; i++)
        {
            await pipeline.NewWorkspaceAsync();
        }
        var total = (await (await pipeline.Client.GetAsync("/api/audit?limit=1000")).JsonAsync()).GetProperty("items").GetArrayLength();
        await using var browser = await ConsoleBrowser.OpenAsync(pipeline.Host.BaseAddress);
        var page = browser.Page;

        await page.SelectOptionAsync("#audit-limit", "10");
        await page.GetByRole(AriaRole.Button, new() { Name = "List changes" }).ClickAsync();
        await Expect(page.Locator("#audit-table tbody tr")).ToHaveCountAsync(10);
        await page.GetByRole(AriaRole.Button, new() { Name = "Next changes" }).ClickAsync();

        await Expect(page.Locator("#audit-table tbody tr")).ToHaveCountAsync(Math.Min(20, total));
        await browser.AssertCleanAsync();
    }

    [Fact]
    public async Task Key_OpenedWithCode_MovedToSessionStorageOutOfTheAddressBarAndStillSentAfterAReload()
    {
        await pipeline.NewWorkspaceAsync();
        await using var browser = await ConsoleBrowser.OpenAsync(pipeline.Host.BaseAddress);
        var page = browser.Page;

        Assert.Equal(new Uri(pipeline.Host.BaseAddress, "/api/console").ToString(), page.Url);
        Assert.Equal(ConsoleBrowser.Key, await page.EvaluateAsync<string>("() => sessionStorage.getItem('convertro-functions-key')"));
        Assert.DoesNotContain(ConsoleBrowser.Key, await page.EvaluateAsync<string>("() => JSON.stringify(history.state) + location.href"));
        await Expect(page.Locator("#key-note")).ToContainTextAsync("kept for this tab");

        await page.ReloadAsync();
        await Expect(page.Locator("body[data-ready=yes]")).ToHaveCountAsync(1);
        await Expect(page.Locator("#workspaces-table tbody tr").First).ToBeVisibleAsync();
        await browser.AssertCleanAsync(); // every call, after the reload too, carried the key
    }
}
