using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace ConvertroFunctions.Core;

/// <summary>
/// Log levels both hosts start from: framework per-request and per-call lines (ASP.NET Core,
/// HttpClient, Polly) only from Warning, so the app's own lines (skips, retries, dead letters) stand
/// out and Application Insights does not pay for a line per Convertro call. Added below every other
/// source, so any Logging__LogLevel__* setting overrides them.
/// </summary>
public static class LoggingDefaults
{
    public static IConfigurationBuilder AddConvertroLoggingDefaults(this IConfigurationBuilder configuration)
    {
        configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData =
            [
                new("Logging:LogLevel:Microsoft.AspNetCore", "Warning"),
                new("Logging:LogLevel:System.Net.Http.HttpClient", "Warning"),
                new("Logging:LogLevel:Polly", "Warning"),
            ],
        });
        return configuration;
    }
}
