using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using ConvertroFunctions.Core.Delivery;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Workspaces;
using ConvertroFunctions.Fakes;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using AiJson = Microsoft.ApplicationInsights.Extensibility.Implementation.JsonSerializer;

namespace ConvertroFunctions.App.Tests;

/// <summary>
/// No personal data reaches telemetry (docs/operations.md, "Telemetry in Azure"): delivery runs with
/// the Functions app's own registrations (AppServices: the Application Insights worker SDK with its
/// default dependency tracking, OpenTelemetry metrics) against a real Azurite and the fake
/// Convertro, with an email, an IP, a user agent and a device id planted in the events; every
/// Application Insights item (as the channel would send it) and every exported metric and span is
/// searched for them. The calls themselves carried them: that is what Convertro needs.
/// </summary>
[Collection(MeterListenerCollection.Name)]
public sealed class TelemetryPrivacyTests
{
    private const string Email = "planted.person@example.com";
    private const string Ip = "198.51.100.77";
    private const string UserAgent = "PlantedAgent/9.9 (planted)";
    private const string DeviceId = "planted-device-4711";
    /// <summary>The Functions worker's activity source: each invocation's "Invoke" activity, which the app's tracing pipeline listens to.</summary>
    private const string WorkerActivitySource = "Microsoft.Azure.Functions.Worker";

    /// <summary>
    /// Ingestion and Live Metrics on 127.0.0.2:9 (loopback, refused). Not 127.0.0.1: the SDK drops
    /// every dependency whose target contains the Live Metrics host (it takes them for its own
    /// traffic), and Azurite and the fake Convertro listen on 127.0.0.1.
    /// </summary>
    private const string ConnectionString =
        "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.2:9/;LiveEndpoint=http://127.0.0.2:9/";

    private static readonly string[] Planted = ["planted.person", Ip, "PlantedAgent", DeviceId];

    static TelemetryPrivacyTests() => AzureMonitorExporterInTests.StayOnThisMachine();

    [Fact]
    public async Task Deliver_EventsWithPersonalData_NoTelemetryItemMetricOrSpanCarriesAnyOfIt()
    {
        await using var azurite = await TestAzurite.StartAsync();
        await using var convertro = await FakeConvertro.StartAsync();
        var settings = AppServicesTests.RealisticSettings();
        settings["AzureWebJobsStorage"] = azurite.ConnectionString;
        settings["Convertro:BaseUrl"] = convertro.BaseUrl.ToString();
        settings["Convertro:InProcessRetries"] = "0";
        var services = MetricsExportTests.AppServicesWithConnectionString(ConnectionString, settings: settings);
        var channel = new RecordingChannel();
        services.Replace(ServiceDescriptor.Singleton<ITelemetryChannel>(channel));
        var metrics = new List<MetricSnapshot>();
        var spans = new List<Activity>();
        services.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(metrics));
        services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans));
        await using var provider = AppServicesTests.Build(services);
        // Resolving the configuration starts the SDK's modules, dependency tracking among them, as the worker does at start.
        Assert.Same(channel, provider.GetRequiredService<TelemetryConfiguration>().TelemetryChannel);
        var meterProvider = provider.GetRequiredService<MeterProvider>();
        var tracerProvider = provider.GetRequiredService<TracerProvider>();

        const string client = "Planted Client";
        var workspace = new WorkspaceSettings
        {
            WorkspaceId = "privacy", Account = "acme", ClientName = client, SiteId = "1234", Domain = "acme.sp1.convertro.com",
        };
        await provider.GetRequiredService<WorkspaceStore>().SaveAsync(workspace, CancellationToken.None);
        // One call answered 500 (a retry, with its log lines), one 400 (a dead letter), the rest 200.
        convertro.Script(client, new FakeResponse(500), new FakeResponse(400));
        JsonObject[] events =
            [EventWithPersonalData("p-identify", "identify"), EventWithPersonalData("p-track", "track"), EventWithPersonalData("p-order", "track", "Order Completed")];
        var message = Assert.Single(QueueMessagePacker.Pack(workspace.WorkspaceId, DateTimeOffset.UtcNow,
            [.. events.Select(e => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(e.ToJsonString()))]));

        // As the worker runs every invocation: inside its "Invoke" activity, the parent of whatever the function does.
        using (var worker = new ActivitySource(WorkerActivitySource))
        using (worker.StartActivity("Invoke"))
        {
            await provider.GetRequiredService<DeliveryHandler>().HandleAsync(new BinaryData(message), CancellationToken.None);
        }
        meterProvider.ForceFlush(10_000);
        tracerProvider.ForceFlush(10_000);

        // The calls carried the personal data (Convertro needs it)...
        var requests = convertro.RequestsFor(client);
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Contains(Uri.EscapeDataString(Ip), r.Target, StringComparison.Ordinal));
        // ...and the SDK recorded each call (as the worker does in Azure).
        var host = convertro.BaseUrl.GetLeftPart(UriPartial.Authority);
        var calls = channel.Items.OfType<DependencyTelemetry>().Where(d => d.Data.StartsWith(host, StringComparison.Ordinal)).ToList();
        Assert.Equal(3, calls.Count);
        Assert.All(calls, d => Assert.StartsWith("GET /api/", d.Name, StringComparison.Ordinal));
        Assert.Equal(["200", "400", "500"], calls.Select(d => d.ResultCode).Order());
        Assert.Equal(convertro.BaseUrl.Authority, calls[0].Target);
        Assert.Contains(channel.Items, i => i is TraceTelemetry);

        // Nothing recorded anywhere carries any of it...
        var leaks = channel.Items.Select(i => ("Application Insights " + i.GetType().Name, Encoding.UTF8.GetString(AiJson.Serialize([i], compress: false))))
            .Concat(metrics.Select(m => ($"metric {m.Name}", Describe(m))))
            .Concat(spans.Select(s => ($"span {s.DisplayName}", string.Join(' ', s.Tags.Select(t => $"{t.Key}={t.Value}")))))
            .SelectMany(item => Planted.Where(p => item.Item2.Contains(p, StringComparison.OrdinalIgnoreCase)).Select(p => $"{item.Item1} carries '{p}': {item.Item2}"))
            .ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
        // ...and each call is recorded with method, host, path and status, without its query.
        Assert.Equal(requests.Select(r => host + r.Target[..r.Target.IndexOf('?')]).Order(), calls.Select(d => d.Data).Order());
    }

    [Fact]
    public async Task ExportedSpans_UrlTagsWithAQuery_KeepOnlySchemeHostAndPath()
    {
        var services = MetricsExportTests.AppServicesWithConnectionString(MetricsExportTests.LoopbackConnectionString);
        var spans = new List<Activity>();
        services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans));
        await using var provider = AppServicesTests.Build(services);
        var tracerProvider = provider.GetRequiredService<TracerProvider>();

        using (var source = new ActivitySource(WorkerActivitySource))
        using (var span = source.StartActivity("call"))
        {
            Assert.NotNull(span);
            span.SetTag("url.full", $"https://acme.sp1.convertro.com/api/hit/c/1/?cip={Ip}&did={DeviceId}");
            span.SetTag("http.url", $"http://127.0.0.1:1/x?cua={UserAgent}");
            span.SetTag("url.query", $"cip={Ip}");
            span.SetTag("http.request.method", "GET");
        }
        tracerProvider.ForceFlush(10_000);

        var exported = Assert.Single(spans);
        Assert.Equal("https://acme.sp1.convertro.com/api/hit/c/1/", exported.GetTagItem("url.full"));
        Assert.Equal("http://127.0.0.1:1/x", exported.GetTagItem("http.url"));
        Assert.Null(exported.GetTagItem("url.query"));
        Assert.Equal("GET", exported.GetTagItem("http.request.method"));
    }

    /// <summary>An event carrying every kind of personal data Convertro's calls take.</summary>
    private static JsonObject EventWithPersonalData(string messageId, string type, string eventName = "Signed Up")
    {
        var e = new JsonObject
        {
            ["type"] = type,
            ["messageId"] = messageId,
            ["userId"] = Email,
            ["timestamp"] = "2026-03-01T10:00:00.000Z",
            ["context"] = new JsonObject
            {
                ["device"] = new JsonObject { ["id"] = DeviceId },
                ["ip"] = Ip,
                ["userAgent"] = UserAgent,
                ["page"] = new JsonObject { ["url"] = $"https://shop.example/?email={Email}", ["referrer"] = $"https://ref.example/?ip={Ip}" },
            },
        };
        if (type == "track")
        {
            e["event"] = eventName;
            e["properties"] = new JsonObject { ["order_id"] = "o-1", ["total"] = 10 };
        }
        return e;
    }

    private static string Describe(MetricSnapshot metric)
    {
        var text = new StringBuilder(metric.Name);
        foreach (var point in metric.MetricPoints)
        {
            foreach (var tag in point.Tags)
            {
                text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
            }
        }
        return text.ToString();
    }

    /// <summary>An Application Insights channel that keeps what it is given: what the SDK would send, after every processor.</summary>
    private sealed class RecordingChannel : ITelemetryChannel
    {
        private readonly ConcurrentQueue<ITelemetry> _items = new();

        public IReadOnlyList<ITelemetry> Items => [.. _items];

        public bool? DeveloperMode { get; set; }

        public string EndpointAddress { get; set; } = string.Empty;

        public void Send(ITelemetry item) => _items.Enqueue(item);

        public void Flush()
        {
        }

        public void Dispose()
        {
        }
    }
}
