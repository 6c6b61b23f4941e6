using Azure.Monitor.OpenTelemetry.Exporter;
using ConvertroFunctions.Core;
using ConvertroFunctions.Core.Delivery;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.ApplicationInsights;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ConvertroFunctions;

/// <summary>
/// Every service the Functions app registers, in one place: Program.cs calls it on the worker's
/// builder, and a test builds a service provider from it without the Functions host.
/// Telemetry (docs/operations.md, "Telemetry in Azure"): logs go to Application Insights through
/// its worker SDK, sampled without ever dropping a trace or an exception; the ConvertroFunctions
/// meter goes to the same resource through OpenTelemetry's Azure Monitor exporter. No call's query
/// (personal data) reaches either (<see cref="QueryFreeTelemetry"/>).
/// </summary>
public static class AppServices
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>The name of the Azure Monitor exporter's options (IOptionsMonitor&lt;AzureMonitorExporterOptions&gt;).</summary>
    public const string MetricExporterOptionsName = DeliveryMetrics.MeterName;

    /// <summary>
    /// Application Insights item types the worker's adaptive sampling never drops: logs (Trace) and
    /// exceptions, so an Error log survives a burst, and requests and events, as the SDK's default does.
    /// host.json's samplingSettings is the host's own and excludes Request, Exception and Trace (not
    /// Event) from the host's telemetry; this list is the worker's.
    /// </summary>
    public const string NeverSampledTypes = "Exception;Trace;Request;Event";

    /// <summary>What the adaptive sampling aims at for the types it may sample (the SDK's default).</summary>
    private const double SampledItemsPerSecond = 5;

    public static IServiceCollection AddConvertroFunctionsApp(this IServiceCollection services, IConfiguration configuration)
    {
        services
            .AddApplicationInsightsTelemetryWorkerService(options => options.EnableAdaptiveSampling = false)
            .ConfigureFunctionsApplicationInsights();
        services.AddApplicationInsightsTelemetryProcessor<QueryFreeTelemetry>();
        services.SampleApplicationInsightsWithoutDroppingLogs();
        services.KeepInformationLogsInApplicationInsights();
        services.ExportMetricsToAzureMonitor(configuration);
        return services.AddConvertroFunctionsCore(configuration);
    }

    /// <summary>
    /// The SDK's default adaptive sampling (turned off above) samples every type but events, so under
    /// load it drops Error logs too. This one samples only what is left: dependencies and the like.
    /// </summary>
    private static void SampleApplicationInsightsWithoutDroppingLogs(this IServiceCollection services) =>
        services.Configure<TelemetryConfiguration>(telemetry =>
        {
            var chain = telemetry.DefaultTelemetrySink.TelemetryProcessorChainBuilder;
            chain.UseAdaptiveSampling(SampledItemsPerSecond, excludedTypes: NeverSampledTypes);
            chain.Build();
        });

    /// <summary>
    /// The Application Insights SDK adds a rule that keeps only warnings; remove it so the app's
    /// Information lines (a message's summary, a deletion, the retention job) reach Application
    /// Insights. Registered after
    /// the SDK, so it runs after the SDK's rule is added.
    /// </summary>
    private static void KeepInformationLogsInApplicationInsights(this IServiceCollection services) =>
        services.Configure<LoggerFilterOptions>(options =>
        {
            var rule = options.Rules.FirstOrDefault(r => r.ProviderName == typeof(ApplicationInsightsLoggerProvider).FullName);
            if (rule is not null)
            {
                options.Rules.Remove(rule);
            }
        });

    /// <summary>
    /// The ConvertroFunctions meter through OpenTelemetry to Azure Monitor (the customMetrics table
    /// of the Application Insights resource), only where a connection string is set; with
    /// APPLICATIONINSIGHTS_AUTHENTICATION_STRING, as the managed identity it names. Nothing else goes
    /// through OpenTelemetry: logs and the host's requests stay with Application Insights.
    /// </summary>
    private static void ExportMetricsToAzureMonitor(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration[ConnectionStringSetting];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return;
        }
        var authentication = ApplicationInsightsAuthentication.Parse(configuration[AuthenticationStringSetting]);

        services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            // UseFunctionsWorkerDefaults turns tracing on (the worker's invocation spans): none carries a query.
            .WithTracing(tracing => tracing.AddProcessor(new QueryFreeSpans()))
            .WithMetrics(metrics => metrics
                .AddMeter(DeliveryMetrics.MeterName)
                .AddAzureMonitorMetricExporter(
                    options =>
                    {
                        options.ConnectionString = connectionString;
                        options.Credential = authentication?.CreateCredential();
                    },
                    name: MetricExporterOptionsName));
    }
}
