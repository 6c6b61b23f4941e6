using System.Text.Json.Nodes;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.ApplicationInsights.WindowsServer.TelemetryChannel;
using Microsoft.Extensions.DependencyInjection;

namespace ConvertroFunctions.App.Tests;

/// <summary>
/// Application Insights sampling keeps every log and exception, in the host (host.json) and in the
/// worker (its own Application Insights SDK), and the host records every invocation, successful
/// ones included, in the requests table.
/// </summary>
public sealed class ApplicationInsightsSamplingTests
{
    private static readonly string[] NeverSampled = ["Exception", "Trace"];

    [Fact]
    public void Host_json_never_samples_exceptions_traces_or_requests()
    {
        var sampling = HostJson()["logging"]?["applicationInsights"]?["samplingSettings"];
        Assert.NotNull(sampling);

        Assert.Superset(new HashSet<string>([.. NeverSampled, "Request"]), Types((string?)sampling["excludedTypes"]));
        // includedTypes would limit sampling to the types it names; excludedTypes alone says it all.
        Assert.Null(sampling["includedTypes"]);
    }

    [Fact]
    public void Host_json_records_successful_invocations()
    {
        var logLevel = HostJson()["logging"]?["logLevel"];
        Assert.NotNull(logLevel);

        // Host.Results carries one log per invocation, which Application Insights turns into a
        // request; at Error only failed invocations would be recorded.
        Assert.Equal("Information", (string?)logLevel["Host.Results"]);
    }

    [Fact]
    public async Task The_workers_adaptive_sampling_never_samples_exceptions_or_traces()
    {
        await using var provider = AppServicesTests.Build(AppServicesTests.AppServiceCollection(AppServicesTests.RealisticSettings()));
        var telemetry = provider.GetRequiredService<TelemetryConfiguration>();

        // One sampler: the SDK's default one (which samples traces and exceptions) is off.
        var sampler = Assert.Single(telemetry.DefaultTelemetrySink.TelemetryProcessors.OfType<AdaptiveSamplingTelemetryProcessor>());
        Assert.Superset(new HashSet<string>(NeverSampled), Types(sampler.ExcludedTypes));
        Assert.Null(sampler.IncludedTypes);
        Assert.Equal(Types(AppServices.NeverSampledTypes), Types(sampler.ExcludedTypes));
    }

    /// <summary>The host.json that ships: the one the Worker SDK's build copied next to the app.</summary>
    private static JsonNode HostJson()
    {
        var path = Path.Combine(FunctionsMetadata.Load().OutputDirectory, "host.json");
        Assert.True(File.Exists(path), $"{path} does not exist; src/ConvertroFunctions copies the repo's host.json into its output.");
        return JsonNode.Parse(File.ReadAllText(path))!;
    }

    private static HashSet<string> Types(string? list) =>
        [.. (list ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
