using Azure.Monitor.OpenTelemetry.Exporter;
using ConvertroFunctions.Core;
using ConvertroFunctions.Core.Delivery;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.ApplicationInsights;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace ConvertroFunctions;

/// <summary>
/// Every service the Functions app registers, in one place: Program.cs calls it on the worker's
/// builder, and a test builds a service provider from it without the Functions host.
/// Telemetry (docs/operations.md, "Telemetry in Azure"): logs go to Application Insights through
/// its worker SDK; the ConvertroFunctions meter goes to the same resource through OpenTelemetry's
/// Azure Monitor exporter.
/// </summary>
public static class AppServices
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>The name of the Azure Monitor exporter's options (IOptionsMonitor&lt;AzureMonitorExporterOptions&gt;).</summary>
    public const string MetricExporterOptionsName = DeliveryMetrics.MeterName;

    public static IServiceCollection AddConvertroFunctionsApp(this IServiceCollection services, IConfiguration configuration)
    {
        services
            .AddApplicationInsightsTelemetryWorkerService()
            .ConfigureFunctionsApplicationInsights();
        services.KeepInformationLogsInApplicationInsights();
        services.ExportMetricsToAzureMonitor(configuration);
        return services.AddConvertroFunctionsCore(configuration);
    }

    /// <summary>
    /// The Application Insights SDK adds a rule that keeps only warnings; remove it so skipped
    /// events (logged at Information with their reason) reach Application Insights. Registered after
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
