using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace ConvertroFunctions.BrowserTests;

/// <summary>
/// The console open in a fresh headless Chromium, with <c>?code=</c><see cref="Key"/> in its URL.
/// It records every script problem (uncaught errors, console errors), every request that leaves
/// the app's origin (aborted), and every API call sent without the key; <see cref="AssertCleanAsync"/>
/// fails on any of them. An error answer the page is meant to show (LocalHost's sandbox 404 when it
/// is off, an unknown messageId, a malformed preview) still makes Chromium log "Failed to load
/// resource"; only those a test names with <see cref="ExpectErrorAnswer"/> are let through.
/// </summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    public const string Key = "browser-test-key";
    private const string SandboxRequests = "/sandbox/convertro/requests";

    private readonly IPlaywright _playwright;
    private readonly IBrowserContext _context;
    private readonly DirectoryInfo _userData;
    private readonly Uri _origin;
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly HashSet<string> _expectedErrorAnswers = [SandboxRequests];

    private ConsoleBrowser(IPlaywright playwright, IBrowserContext context, DirectoryInfo userData, Uri origin)
    {
        _playwright = playwright;
        _context = context;
        _userData = userData;
        _origin = origin;
        Page = context.Pages.Count > 0 ? context.Pages[0] : null!;
    }

    public IPage Page { get; private set; }

    /// <summary>Every confirmation the page asked for, accepted.</summary>
    public ConcurrentQueue<string> Confirmations { get; } = new();

    /// <summary>Opens <paramref name="path"/> (the console with the key, unless a test says otherwise) and waits for its first load.</summary>
    public static async Task<ConsoleBrowser> OpenAsync(Uri app, string path = $"/api/console?code={Key}")
    {
        var executable = Chromium.Path();
        // The package's node driver runs from the test's output; it must never fetch a browser.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        var userData = Directory.CreateTempSubdirectory("convertro-console-chromium-");
        IBrowserContext context;
        try
        {
            context = await playwright.Chromium.LaunchPersistentContextAsync(userData.FullName, new()
            {
                ExecutablePath = executable,
                Headless = true,
                ChromiumSandbox = false,
                Args = Chromium.Flags,
                Timeout = 60_000,
                ViewportSize = new() { Width = 1280, Height = 1000 },
            });
        }
        catch (PlaywrightException ex)
        {
            playwright.Dispose();
            userData.Delete(recursive: true);
            throw new InvalidOperationException($"Chromium at {executable} did not start under Playwright: {ex.Message}", ex);
        }
        var browser = new ConsoleBrowser(playwright, context, userData, new Uri(app.GetLeftPart(UriPartial.Authority)));
        await browser.WatchAsync();
        await browser.Page.GotoAsync(new Uri(app, path).ToString());
        await Assertions.Expect(browser.Page.Locator("body[data-ready=yes]")).ToHaveCountAsync(1);
        return browser;
    }

    /// <summary>A 4xx answer from <paramref name="path"/> that the page shows (Chromium still logs it).</summary>
    public void ExpectErrorAnswer(string path) => _expectedErrorAnswers.Add(path);

    private async Task WatchAsync()
    {
        Page ??= await _context.NewPageAsync();
        _context.SetDefaultTimeout(20_000);
        Assertions.SetDefaultExpectTimeout(20_000);
        await _context.RouteAsync(url => !Local(url), async route =>
        {
            _problems.Enqueue($"request off the app's origin (aborted): {route.Request.Method} {route.Request.Url}");
            await route.AbortAsync();
        });
        Page.PageError += (_, error) => _problems.Enqueue($"page error: {error}");
        Page.Console += (_, message) =>
        {
            if (message.Type == "error" && !ExpectedErrorAnswer(message))
            {
                _problems.Enqueue($"console error: {message.Text} ({message.Location})");
            }
        };
        Page.Request += (_, request) =>
        {
            var url = new Uri(request.Url);
            var api = url.AbsolutePath.StartsWith("/api/", StringComparison.Ordinal) && !url.AbsolutePath.StartsWith("/api/console", StringComparison.Ordinal);
            if (api && (!request.Headers.TryGetValue("x-functions-key", out var key) || key != Key))
            {
                _problems.Enqueue($"API call without the page's ?code= as x-functions-key: {request.Method} {request.Url}");
            }
        };
        Page.Dialog += async (_, dialog) =>
        {
            Confirmations.Enqueue(dialog.Message);
            await dialog.AcceptAsync();
        };
    }

    private bool Local(string url) =>
        url.StartsWith("data:", StringComparison.Ordinal) || url.StartsWith(_origin.ToString(), StringComparison.Ordinal);

    /// <summary>Chromium's own line for a 4xx answer, from a path a test named (its location is "url:line:column").</summary>
    private bool ExpectedErrorAnswer(IConsoleMessage message) =>
        message.Text.StartsWith("Failed to load resource: the server responded with a status of 4", StringComparison.Ordinal)
        && _expectedErrorAnswers.Any(path => message.Location.StartsWith(_origin.ToString().TrimEnd('/') + path, StringComparison.Ordinal));

    /// <summary>No script error, no request elsewhere, no API call without the key.</summary>
    public Task AssertCleanAsync()
    {
        Assert.True(_problems.IsEmpty, "The console had problems:\n" + string.Join("\n", _problems));
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        _playwright.Dispose();
        try
        {
            _userData.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be letting go of a file; the directory is in the temp folder.
        }
    }
}
