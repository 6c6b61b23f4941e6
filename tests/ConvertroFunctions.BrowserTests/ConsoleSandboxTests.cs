using System.Net;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ConvertroFunctions.BrowserTests;

/// <summary>LocalHost in its default sandbox mode: no Convertro__BaseUrl, so calls go to its own recording sandbox.</summary>
public sealed class SandboxPipeline : PipelineFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Convertro:BaseUrl", "")];
}

/// <summary>LocalHost's root opens the console, and the console lists what the sandbox recorded.</summary>
public sealed class ConsoleSandboxTests(SandboxPipeline pipeline) : IClassFixture<SandboxPipeline>
{
    [Fact]
    public async Task Root_RedirectsToTheConsoleKeepingTheKey_AndTheSandboxsRequestsAreListed()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var sent = await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", Segment.Identify("sandboxed-1").ToJsonString());
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        await Eventually.TrueAsync(async () =>
            (await pipeline.Client.GetStringAsync("/sandbox/convertro/requests")).Contains(Uri.EscapeDataString(ws.ClientName), StringComparison.Ordinal));

        await using var browser = await ConsoleBrowser.OpenAsync(pipeline.Host.BaseAddress, $"/?code={ConsoleBrowser.Key}");

        // The redirect kept the key; the page then moved it out of the address bar (and sends it on every call).
        Assert.Equal(new Uri(pipeline.Host.BaseAddress, "/api/console").ToString(), browser.Page.Url);
        Assert.Equal(ConsoleBrowser.Key, await browser.Page.EvaluateAsync<string>("() => sessionStorage.getItem('convertro-functions-key')"));
        await Expect(browser.Page.Locator("#sandbox-result [data-sandbox=on]")).ToContainTextAsync("1 request recorded");
        await Expect(browser.Page.Locator("#sandbox-result code.url")).ToContainTextAsync(
            $"/sandbox/convertro/api/user/{Uri.EscapeDataString(ws.ClientName)}/{TestWorkspace.SiteId}/");
        await browser.AssertCleanAsync();
    }
}
