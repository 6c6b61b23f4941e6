using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace ConvertroFunctions.BrowserTests;

/// <summary>
/// The console's banner in a real headless Chromium against LocalHost, whose poison drain is off (as
/// when it fails) and which measures its queues every second: nothing to show on a quiet
/// deployment, then the banner naming the poison queue once a message sits in it, with the queue's
/// length and its oldest message's wait shown beneath.
/// </summary>
public sealed class ConsoleAttentionTests(MonitoredPipeline pipeline) : IClassFixture<MonitoredPipeline>
{
    [Fact]
    public async Task Banner_PoisonQueueHoldsAMessage_ShownNamingItWithTheQueuesBacklog()
    {
        await using var browser = await ConsoleBrowser.OpenAsync(pipeline.Host.BaseAddress);
        var page = browser.Page;
        var banner = page.Locator("#attention-banner");
        var poison = page.Locator($"#backlog [data-queue='{StorageNames.PoisonQueue}']");

        await Expect(poison).ToHaveAttributeAsync("data-length", "0");
        await Expect(poison).ToContainTextAsync("none waiting");
        await Expect(banner).ToBeHiddenAsync();

        await pipeline.PoisonAsync("poisoned-ws", "poisoned-1");
        // Older than Monitoring:IntervalSeconds (1 s): the next overview measures the queues again.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await page.ReloadAsync();
        await Expect(page.Locator("body[data-ready=yes]")).ToHaveCountAsync(1);

        await Expect(banner).ToBeVisibleAsync();
        await Expect(banner.Locator("h2")).ToHaveTextAsync("Needs attention");
        var item = banner.Locator("[data-attention=poison_queue]");
        await Expect(item).ToContainTextAsync("The poison queue holds 1 message.");
        await Expect(item).ToContainTextAsync("Alert: poison queue not empty");
        await Expect(banner.Locator("li")).ToHaveCountAsync(1);
        await Expect(poison).ToHaveAttributeAsync("data-length", "1");
        await Expect(poison).ToContainTextAsync("oldest waiting");
        await Expect(page.Locator($"#backlog [data-queue='{StorageNames.EventsQueue}']")).ToBeVisibleAsync();
        await browser.AssertCleanAsync();
    }
}
