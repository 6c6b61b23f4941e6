using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace ConvertroFunctions.Core;

/// <summary>
/// Log levels both hosts start from: framework per-request and per-call lines (ASP.NET Core,
/// HttpClient) only from Warning, and none of Polly's: it only reports the attempts of Convertro
/// calls, each with a stack trace, and delivery already logs one line per failed attempt
/// (Logging__LogLevel__Polly=Warning brings them back), so the app's own lines (retries,
/// dead letters, a summary per message) stand out and log volume follows events, not retries times
/// stack depth. Added below every other source, so any Logging__LogLevel__* setting overrides them.
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
                new("Logging:LogLevel:Polly", "None"),
            ],
        });
        return configuration;
    }
}
