using ConvertroFunctions.Core;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.ApplicationInsights;

namespace ConvertroFunctions;

/// <summary>
/// Every service the Functions app registers, in one place: Program.cs calls it on the worker's
/// builder, and a test builds a service provider from it without the Functions host.
/// </summary>
public static class AppServices
{
    public static IServiceCollection AddConvertroFunctionsApp(this IServiceCollection services, IConfiguration configuration)
    {
        services
            .AddApplicationInsightsTelemetryWorkerService()
            .ConfigureFunctionsApplicationInsights();
        services.KeepInformationLogsInApplicationInsights();
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
}
