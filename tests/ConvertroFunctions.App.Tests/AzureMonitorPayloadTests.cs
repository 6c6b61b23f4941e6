using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using ConvertroFunctions.Core.Delivery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace ConvertroFunctions.App.Tests;

/// <summary>
/// What the Azure Monitor exporter the app registers actually sends, caught by a stand-in ingestion
/// endpoint on 127.0.0.1: one MetricData item per metric and tag set, named as the instrument
/// (the customMetrics <c>name</c>), with the tags as properties (<c>customDimensions</c>) and, for
/// the delivery lag histogram, the sum, count, min and max (<c>valueSum</c>, <c>valueCount</c>,
/// <c>valueMin</c>, <c>valueMax</c>): no buckets, and no meter name. infra/modules/workbook.bicep
/// queries exactly this.
/// </summary>
[Collection(MeterListenerCollection.Name)]
public sealed class AzureMonitorPayloadTests
{
    static AzureMonitorPayloadTests() => AzureMonitorExporterInTests.StayOnThisMachine();

    [Fact]
    public async Task Each_metric_reaches_ingestion_under_its_instrument_name_with_workspace_and_reason_as_properties()
    {
        await using var ingestion = await StandInIngestion.StartAsync();
        var connectionString = $"InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint={ingestion.BaseUrl};LiveEndpoint={ingestion.BaseUrl}";
        await using var provider = AppServicesTests.Build(MetricsExportTests.AppServicesWithConnectionString(connectionString));
        var meterProvider = provider.GetRequiredService<MeterProvider>();

        MetricsExportTests.RecordTwoWorkspaces(provider.GetRequiredService<DeliveryMetrics>());
        Assert.True(meterProvider.ForceFlush(30_000), "The Azure Monitor exporter did not export to the stand-in ingestion endpoint.");

        var items = ingestion.MetricItems().Where(i => i.Name.StartsWith("convertro.", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                "convertro.events.accepted workspace=acme 3",
                "convertro.events.accepted workspace=globex 1",
                "convertro.events.dead_lettered reason=convertro_rejected workspace=acme 1",
                "convertro.events.dead_lettered reason=retries_exhausted workspace=globex 1",
                "convertro.events.delivered workspace=acme 2",
                "convertro.events.delivered workspace=globex 1",
                "convertro.events.delivery_lag workspace=acme 5.5 count=2 min=1.5 max=4",
                "convertro.events.delivery_lag workspace=globex 0.5 count=1 min=0.5 max=0.5",
                "convertro.events.retried workspace=globex 1",
                "convertro.events.skipped reason=already_delivered workspace=globex 2",
                "convertro.events.skipped reason=no_device_id workspace=acme 1",
                "convertro.ingest.signature_rejected workspace=acme 1",
            ],
            items.Select(i => i.ToString()).Order(StringComparer.Ordinal));
    }

    /// <summary>One exported data point as Application Insights receives it.</summary>
    private sealed record MetricItem(string Name, double Value, int? Count, double? Min, double? Max, IReadOnlyDictionary<string, string> Properties)
    {
        public override string ToString() =>
            $"{Name} {string.Join(' ', Properties.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))} {Value}"
            + (Count is null ? "" : $" count={Count} min={Min} max={Max}");
    }

    /// <summary>Kestrel on a free loopback port answering the track endpoint as ingestion does, keeping every body.</summary>
    private sealed class StandInIngestion : IAsyncDisposable
    {
        private readonly WebApplication app;
        private readonly ConcurrentQueue<string> bodies = new();

        private StandInIngestion(WebApplication app) => this.app = app;

        /// <summary>The address Kestrel bound (after start, the port it was given).</summary>
        public string BaseUrl => app.Urls.Single() + "/";

        public static async Task<StandInIngestion> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.Urls.Add("http://127.0.0.1:0");
            var ingestion = new StandInIngestion(app);
            app.MapPost("/v2.1/track", ingestion.TrackAsync);
            await app.StartAsync();
            return ingestion;
        }

        public IEnumerable<MetricItem> MetricItems() =>
            from body in bodies
            from line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            let item = JsonNode.Parse(line)!
            where (string?)item["data"]?["baseType"] == "MetricData"
            let data = item["data"]!["baseData"]!
            let point = Assert.Single(data["metrics"]!.AsArray())!
            select new MetricItem(
                (string)point["name"]!,
                (double)point["value"]!,
                (int?)point["count"],
                (double?)point["min"],
                (double?)point["max"],
                data["properties"]?.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!) ?? []);

        private async Task<IResult> TrackAsync(HttpRequest request)
        {
            Stream body = request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase)
                ? new GZipStream(request.Body, CompressionMode.Decompress)
                : request.Body;
            using var reader = new StreamReader(body, Encoding.UTF8);
            var text = await reader.ReadToEndAsync();
            bodies.Enqueue(text);
            var count = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            return Results.Json(new { itemsReceived = count, itemsAccepted = count, errors = Array.Empty<object>() });
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
