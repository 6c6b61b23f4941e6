using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConvertroFunctions.Core;
using ConvertroFunctions.Core.Delivery;
using ConvertroFunctions.Core.Monitoring;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ConvertroFunctions.Infra.Tests;

/// <summary>
/// The instruments Core publishes on the ConvertroFunctions meter, as both hosts wire them
/// (AddConvertroFunctionsCore): the outcome counters and lag histogram of DeliveryMetrics, and the
/// gauges of OperationsMonitor. Building them connects to nothing. And the metric names a text
/// (a compiled template) mentions.
/// </summary>
internal static partial class PublishedMetrics
{
    public static IReadOnlyList<Instrument> Instruments()
    {
        var published = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == MetricNames.Meter)
                {
                    published.Add(instrument);
                }
            },
        };
        listener.Start();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new("AzureWebJobsStorage", "UseDevelopmentStorage=true")]).Build();
        var services = new ServiceCollection().AddLogging().AddConvertroFunctionsCore(configuration);
        using var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<DeliveryMetrics>();
        _ = provider.GetRequiredService<OperationsMonitor>();
        return published;
    }

    public static IReadOnlyList<string> Names() => [.. Instruments().Select(i => i.Name).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>The counters only (what the workbook's totals sum).</summary>
    public static IReadOnlyList<string> Counters() =>
        [.. Instruments().Where(i => i is Counter<long>).Select(i => i.Name).Order(StringComparer.Ordinal)];

    /// <summary>Every metric name (convertro.{area}.{name}) the text mentions.</summary>
    public static ISet<string> NamedIn(string text) =>
        MetricName().Matches(text).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>Every metric name any string of a JSON document (a compiled template: queries, descriptions) mentions.</summary>
    public static ISet<string> NamedIn(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => NamedIn(p.Value)).ToHashSet(StringComparer.Ordinal),
        JsonArray a => a.SelectMany(NamedIn).ToHashSet(StringComparer.Ordinal),
        JsonValue v when v.TryGetValue<string>(out var text) => NamedIn(text),
        _ => new HashSet<string>(StringComparer.Ordinal),
    };

    [GeneratedRegex(@"\bconvertro\.[a-z_]+\.[a-z_]+\b")]
    private static partial Regex MetricName();
}
