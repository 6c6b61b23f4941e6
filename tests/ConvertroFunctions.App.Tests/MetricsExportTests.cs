using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Delivery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace ConvertroFunctions.App.Tests;

/// <summary>
/// The Functions app's services (AppServices, as Program.cs registers them) export Core's
/// ConvertroFunctions meter through OpenTelemetry when, and only when, an Application Insights
/// connection string is set. The connection string here points the Azure Monitor exporter at
/// loopback port 9, where nothing listens: whatever it tries to send is refused on this machine,
/// and the assertions read only the in-memory exporter added beside it.
/// </summary>
[Collection(MeterListenerCollection.Name)]
public sealed class MetricsExportTests
{
    /// <summary>Ingestion and Live Metrics both at 127.0.0.1:9 (refused); the key is all zeros.</summary>
    public const string LoopbackConnectionString =
        "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/;LiveEndpoint=http://127.0.0.1:9/";

    private const string UserAssignedClientId = "11111111-2222-3333-4444-555555555555";

    static MetricsExportTests() => AzureMonitorExporterInTests.StayOnThisMachine();

    [Fact]
    public async Task Core_metrics_are_exported_with_their_workspace_and_reason_tags()
    {
        var services = AppServicesWithConnectionString(LoopbackConnectionString);
        var exported = new List<MetricSnapshot>();
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(exported));
        await using var provider = AppServicesTests.Build(services);
        var meterProvider = provider.GetRequiredService<MeterProvider>();

        RecordTwoWorkspaces(provider.GetRequiredService<DeliveryMetrics>());
        // The Azure Monitor reader's export fails (port 9 refuses), so ForceFlush's result says nothing here.
        meterProvider.ForceFlush(10_000);

        Assert.All(exported, m => Assert.Equal(DeliveryMetrics.MeterName, m.MeterName));
        Assert.Equal(new Dictionary<string, double> { ["acme"] = 3, ["globex"] = 1 }, Sums(exported, "convertro.events.accepted", "workspace"));
        Assert.Equal(new Dictionary<string, double> { ["acme"] = 2, ["globex"] = 1 }, Sums(exported, "convertro.events.delivered", "workspace"));
        Assert.Equal(new Dictionary<string, double> { ["globex"] = 1 }, Sums(exported, "convertro.events.retried", "workspace"));
        Assert.Equal(new Dictionary<string, double> { ["acme"] = 1 }, Sums(exported, "convertro.ingest.signature_rejected", "workspace"));
        Assert.Equal(
            new Dictionary<string, double> { ["acme|no_device_id"] = 1, ["globex|already_delivered"] = 2 },
            Sums(exported, "convertro.events.skipped", "workspace", "reason"));
        Assert.Equal(
            new Dictionary<string, double> { ["acme|convertro_rejected"] = 1, ["globex|retries_exhausted"] = 1 },
            Sums(exported, "convertro.events.dead_lettered", "workspace", "reason"));

        var lag = Snapshot(exported, "convertro.events.delivery_lag");
        Assert.Equal(MetricType.Histogram, lag.MetricType);
        var lagByWorkspace = lag.MetricPoints.ToDictionary(p => Key(p, "workspace"), p => (p.GetHistogramCount(), p.GetHistogramSum()));
        Assert.Equal(new Dictionary<string, (long, double)> { ["acme"] = (2, 5.5), ["globex"] = (1, 0.5) }, lagByWorkspace);
    }

    [Fact]
    public async Task The_azure_monitor_exporter_gets_the_connection_string_and_no_credential_without_an_authentication_string()
    {
        await using var provider = AppServicesTests.Build(AppServicesWithConnectionString(LoopbackConnectionString));

        var options = ExporterOptions(provider);
        Assert.Equal(LoopbackConnectionString, options.ConnectionString);
        Assert.Null(options.Credential);
        Assert.NotNull(provider.GetRequiredService<MeterProvider>());
    }

    [Fact]
    public async Task The_azure_monitor_exporter_authenticates_as_the_managed_identity_the_authentication_string_names()
    {
        var services = AppServicesWithConnectionString(LoopbackConnectionString,
            authentication: $"ClientId={UserAssignedClientId};Authorization=AAD");
        await using var provider = AppServicesTests.Build(services);

        // Constructing the credential asks for no token: that happens only when telemetry is sent.
        Assert.IsType<ManagedIdentityCredential>(ExporterOptions(provider).Credential);
    }

    [Fact]
    public async Task Without_a_connection_string_nothing_is_exported_and_the_app_still_builds()
    {
        var settings = AppServicesTests.RealisticSettings();
        Assert.False(settings.ContainsKey(AppServices.ConnectionStringSetting));
        var services = AppServicesTests.AppServiceCollection(settings);

        Assert.DoesNotContain(services, d => d.ServiceType.Assembly == typeof(AzureMonitorExporterOptions).Assembly);
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IConfigureOptions<AzureMonitorExporterOptions>));
        await using var provider = AppServicesTests.Build(services);
        Assert.Null(provider.GetService<MeterProvider>());
        Assert.NotNull(provider.GetRequiredService<DeliveryMetrics>());
    }

    [Theory]
    [InlineData("ClientId=" + UserAssignedClientId + ";Authorization=AAD", UserAssignedClientId)]
    [InlineData(" authorization = aad ; clientid = " + UserAssignedClientId + " ;", UserAssignedClientId)]
    [InlineData("Authorization=AAD", null)]
    public void The_authentication_string_names_the_identity(string value, string? clientId) =>
        Assert.Equal(new ApplicationInsightsAuthentication(clientId), ApplicationInsightsAuthentication.Parse(value));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void No_authentication_string_means_no_credential(string? value) =>
        Assert.Null(ApplicationInsightsAuthentication.Parse(value));

    [Theory]
    [InlineData("ClientId=" + UserAssignedClientId, "needs Authorization=AAD")]
    [InlineData("Authorization=Key", "needs Authorization=AAD")]
    [InlineData("ClientId=not-a-guid;Authorization=AAD", "not a GUID")]
    [InlineData("Authorization", "not Key=Value")]
    public void A_malformed_authentication_string_fails_the_start_naming_the_setting(string value, string problem)
    {
        var settings = AppServicesTests.RealisticSettings();
        settings[AppServices.ConnectionStringSetting] = LoopbackConnectionString;
        settings[AppServices.AuthenticationStringSetting] = value;

        var error = Assert.Throws<InvalidOperationException>(() => AppServicesTests.AppServiceCollection(settings));
        Assert.Contains(AppServices.AuthenticationStringSetting, error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    /// <summary>Two workspaces, each outcome with its tags; the same calls Core's handlers make.</summary>
    internal static void RecordTwoWorkspaces(DeliveryMetrics metrics)
    {
        metrics.Accepted("acme", 3);
        metrics.Accepted("globex", 1);
        metrics.Delivered("acme", TimeSpan.FromSeconds(1.5));
        metrics.Delivered("acme", TimeSpan.FromSeconds(4));
        metrics.Delivered("globex", TimeSpan.FromSeconds(0.5));
        metrics.Skipped("acme", "no_device_id");
        metrics.Skipped("globex", "already_delivered");
        metrics.Skipped("globex", "already_delivered");
        metrics.Retried("globex");
        metrics.DeadLettered("acme", ReasonCodes.ConvertroRejected);
        metrics.DeadLettered("globex", ReasonCodes.RetriesExhausted);
        metrics.SignatureRejected("acme");
    }

    internal static ServiceCollection AppServicesWithConnectionString(
        string connectionString, string? authentication = null, Dictionary<string, string?>? settings = null, string? storage = null)
    {
        settings ??= AppServicesTests.RealisticSettings();
        settings[AppServices.ConnectionStringSetting] = connectionString;
        if (storage is not null)
        {
            settings["AzureWebJobsStorage"] = storage;
        }
        if (authentication is not null)
        {
            settings[AppServices.AuthenticationStringSetting] = authentication;
        }
        var services = AppServicesTests.AppServiceCollection(settings);
        // A refused export would otherwise be kept on disk and retried from there.
        services.Configure<AzureMonitorExporterOptions>(AppServices.MetricExporterOptionsName, o => o.DisableOfflineStorage = true);
        return services;
    }

    private static AzureMonitorExporterOptions ExporterOptions(IServiceProvider provider) =>
        provider.GetRequiredService<IOptionsMonitor<AzureMonitorExporterOptions>>().Get(AppServices.MetricExporterOptionsName);

    /// <summary>The last (cumulative) snapshot of a metric; failing with the names exported when it is missing.</summary>
    private static MetricSnapshot Snapshot(List<MetricSnapshot> exported, string name) =>
        exported.LastOrDefault(m => m.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"{name} was not exported; exported: {string.Join(", ", exported.Select(m => m.Name).Distinct())}");

    /// <summary>A counter's sums by the values of the given tags, joined with '|'.</summary>
    private static Dictionary<string, double> Sums(List<MetricSnapshot> exported, string name, params string[] tags)
    {
        var metric = Snapshot(exported, name);
        Assert.Equal(MetricType.LongSum, metric.MetricType);
        return metric.MetricPoints.ToDictionary(p => Key(p, tags), p => (double)p.GetSumLong());
    }

    private static string Key(MetricPoint point, params string[] tags)
    {
        var values = new Dictionary<string, object?>();
        foreach (var tag in point.Tags)
        {
            values[tag.Key] = tag.Value;
        }
        Assert.Equal(tags.Order(StringComparer.Ordinal), values.Keys.Order(StringComparer.Ordinal));
        return string.Join('|', tags.Select(t => values[t]));
    }
}
