using System.Net;
using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Audit;
using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Delivery;
using ConvertroFunctions.Core.Ledger;
using ConvertroFunctions.Core.Ingest;
using ConvertroFunctions.Core.Monitoring;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Privacy;
using ConvertroFunctions.Core.Stats;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Workspaces;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace ConvertroFunctions.Core;

/// <summary>The one wiring both hosts (the Functions app and LocalHost) share.</summary>
public static class ServiceCollectionExtensions
{
    public static IServiceCollection AddConvertroFunctionsCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(configuration);
        services.AddConvertroSettings();

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddProblemDetails();

        // Azure clients: built once, everything else derives from them.
        services.AddSingleton(_ => StorageClients.FromConfiguration(configuration));
        services.AddSingleton<EventQueue>();
        services.AddSingleton<WorkspaceStore>();
        services.AddSingleton<WorkspaceCache>();
        services.AddSingleton<DeadLetterStore>();
        services.AddSingleton<EventLedger>();
        services.TryAddSingleton<ConvertroTarget>();

        services.AddSingleton<UserKeys>();
        services.AddSingleton<LinkStore>();
        services.AddSingleton<PrivacyAudit>();
        services.AddSingleton<UserDeletion>();
        services.AddSingleton<RetentionJob>();
        services.AddSingleton<EventCounts>();
        services.AddSingleton<StatsStore>();
        services.AddHostedService<StatsFlusher>();
        services.AddSingleton<ApiGuard>();
        services.AddSingleton<DeliveryMetrics>();
        services.AddSingleton<DeadLetterWriter>();
        services.AddSingleton<PoisonDrain>();
        services.AddSingleton<DeliveryPrivacy>();
        services.AddSingleton<DeliveryHandler>();
        services.AddSingleton<RecentMessageIds>();
        services.TryAddSingleton<HealthAudience>();
        services.AddStorageHealthChecks();
        services.AddMonitoring(configuration);
        services.TryAddSingleton<AuditCaller>();
        services.AddSingleton<AuditTrail>();

        services.AddConvertroHttpClient();
        // Every HTTP function's handler, from the one table.
        services.AddAppFunctionHandlers();
        return services;
    }

    /// <summary>The queues and dead letters measured on a timer and their gauges (docs/operations.md).</summary>
    private static void AddMonitoring(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<BacklogProbe>();
        services.AddSingleton<DeadLetterCounter>();
        services.AddSingleton<OperationsMonitor>();
        services.AddHostedService<OperationsMonitorService>();
    }

    /// <summary>
    /// The typed client for Convertro. Its own retries are few and quick (connection errors,
    /// timeouts, 408, 5xx but 501): the queue does the long retries and honours Retry-After, so
    /// 429 is left to it. It connects only to public addresses (<see cref="ConvertroConnections"/>)
    /// and follows at most 3 redirects, to the same host only (<see cref="SameHostRedirects"/>);
    /// the final status decides (a 3xx left over is permanent). No proxy from the environment:
    /// Convertro__BaseUrl names one deliberately (docs/operations.md, "Security").
    /// </summary>
    private static void AddConvertroHttpClient(this IServiceCollection services)
    {
        services.AddSingleton<ConvertroConnections>();
        var client = services.AddHttpClient<ConvertroClient>(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectCallback = provider.GetRequiredService<ConvertroConnections>().ConnectAsync,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
        client.AddResilienceHandler("convertro", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<ConvertroOptions>>().Value;
                if (options.InProcessRetries > 0)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = options.InProcessRetries,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = TimeSpan.FromMilliseconds(200),
                        MaxDelay = TimeSpan.FromSeconds(2),
                        ShouldRetryAfterHeader = false,
                        // The one transient rule (SendOutcome); 429 is left to the queue, which honours Retry-After.
                        ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                        {
                            { Exception: { } exception } => SendOutcome.IsTransient(exception, args.Context.CancellationToken),
                            { Result: { } response } => response.StatusCode != HttpStatusCode.TooManyRequests
                                && SendOutcome.Classify((int)response.StatusCode) == OutcomeKind.Transient,
                            _ => false,
                        }),
                    });
                }
                pipeline.AddTimeout(TimeSpan.FromSeconds(options.TimeoutSeconds));
            });
        // Inside the resilience handler: one attempt is the call and its redirects, within one timeout.
        client.AddHttpMessageHandler(() => new SameHostRedirects());
    }
}
