using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.OperatorConsole;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost;
using ConvertroFunctions.LocalHost.Azurite;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>LocalHost with every storage endpoint on a closed port: the console needs none.</summary>
public sealed class StoragelessHost : IAsyncLifetime
{
    public LocalHostInstance Host { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var dead = Ports.Closed();
        var storage = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteOptions.DevAccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{dead}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{dead}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{dead}/devstoreaccount1;";
        Host = await LocalHostApp.StartAsync(["--urls", "http://127.0.0.1:0"],
            PipelineFixture.DefaultSettings(storage, new Uri($"http://127.0.0.1:{Ports.Closed()}/")));
        Client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Host.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
    }
}

/// <summary>
/// The console's page and assets over HTTP: served from memory by name only, with their types and
/// the page's content policy, whether or not storage answers. (What the page does is checked in a
/// real browser by tests/ConvertroFunctions.BrowserTests.)
/// </summary>
public sealed class ConsoleRoutesTests(StoragelessHost host) : IClassFixture<StoragelessHost>
{
    private HttpClient Client => host.Client;

    [Fact]
    public async Task Page_StorageDown_ServedAsHtmlWithItsPolicyAndNoReferrer()
    {
        var response = await Client.GetAsync("/api/console");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(ConsoleHandler.PagePolicy, string.Join(";", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("""<script type="module" src="/api/console/console.js"></script>""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Assets_EveryOneThePageAndItsModulesName_ServedWithItsTypeAndNoOther()
    {
        var named = new SortedSet<string>(StringComparer.Ordinal);
        var page = await Client.GetStringAsync("/api/console");
        var pending = new Queue<string>(Regex.Matches(page, """(?:src|href)="/api/console/([^"]+)""").Select(m => m.Groups[1].Value));
        while (pending.TryDequeue(out var asset))
        {
            if (!named.Add(asset))
            {
                continue;
            }
            var response = await Client.GetAsync($"/api/console/{asset}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {response.StatusCode}");
            var type = asset.EndsWith(".css", StringComparison.Ordinal) ? "text/css" : "text/javascript";
            Assert.Equal($"{type}; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            foreach (Match import in Regex.Matches(await response.Content.ReadAsStringAsync(), """from '\./([^']+)'"""))
            {
                pending.Enqueue(import.Groups[1].Value);
            }
        }

        Assert.Equal(ConsoleHandler.AssetNames, named);
    }

    [Theory]
    [InlineData("nope.js")]
    [InlineData("console.html")]
    [InlineData("CONSOLE.JS")]
    [InlineData("..%2Fconsole.html")]
    [InlineData("%2E%2E%2F%2E%2E%2Fappsettings.json")]
    [InlineData("console.js.bak")]
    [InlineData("console.js%2F")]
    public async Task Asset_UnknownOrTraversingName_404ListingTheKnownOnes(string name)
    {
        var response = await Client.GetAsync($"/api/console/{name}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("console.js", (await response.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Asset_SameETag_304()
    {
        var first = await Client.GetAsync("/api/console/console.js");
        var again = new HttpRequestMessage(HttpMethod.Get, "/api/console/console.js");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        var response = await Client.SendAsync(again);

        Assert.Equal("no-cache", first.Headers.CacheControl?.ToString());
        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task Page_ReasonFilter_OffersExactlyTheReasonCodes()
    {
        var page = await Client.GetStringAsync("/api/console");
        var select = Regex.Match(page, """<select id="dead-letters-reason">(.*?)</select>""", RegexOptions.Singleline).Groups[1].Value;

        var offered = Regex.Matches(select, """<option value="([^"]*)">""").Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(["", .. ReasonCodes.All], offered);
    }

    [Theory]
    [InlineData("/", "/api/console")]
    [InlineData("/?code=k1", "/api/console?code=k1")]
    public async Task Root_RedirectsToTheConsoleKeepingTheQuery(string path, string location)
    {
        var response = await Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(location, response.Headers.Location?.ToString());
    }
}
