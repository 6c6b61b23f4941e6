using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConvertroFunctions;

internal static class LoggingExtensions
{
    private const string ApplicationInsightsProvider =
        "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider";

    /// <summary>
    /// The Application Insights SDK adds a rule that keeps only warnings; remove it so skipped
    /// events (logged at Information with their reason) reach Application Insights.
    /// </summary>
    public static ILoggingBuilder KeepInformationLogsInApplicationInsights(this ILoggingBuilder logging)
    {
        logging.Services.Configure<LoggerFilterOptions>(options =>
        {
            var rule = options.Rules.FirstOrDefault(r => r.ProviderName == ApplicationInsightsProvider);
            if (rule is not null)
            {
                options.Rules.Remove(rule);
            }
        });
        return logging;
    }
}
