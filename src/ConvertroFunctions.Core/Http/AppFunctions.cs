using System.Collections.Frozen;
using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Delivery;
using ConvertroFunctions.Core.Ingest;
using ConvertroFunctions.Core.OperatorConsole;
using ConvertroFunctions.Core.Privacy;
using ConvertroFunctions.Core.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ConvertroFunctions.Core.Http;

/// <summary>Who may call an HTTP function: the Functions host's authorization levels this app uses.</summary>
public enum ApiAuthorization
{
    /// <summary>No key: health (for probes) and the console's page and assets, which hold no data.</summary>
    Anonymous,

    /// <summary>A function key (<c>?code=</c> or <c>x-functions-key</c>); per function, so Segment's key opens only ingest.</summary>
    Function,
}

/// <summary>
/// One HTTP function: its name in the Functions app, method, route (below <c>/api</c>), key
/// requirement, the guard its handler runs behind (each host applies <see cref="ApiGuard"/> with
/// it, once), the Core handler class that serves it (registered from this table; none for a static
/// one) and the call that serves a request (the route's parameters read from the request, what
/// the guard established from <see cref="GuardedRequest"/>).
/// </summary>
public sealed record ApiEndpoint(
    string Function, string Method, string Route, ApiAuthorization Authorization, GuardNeed Guard, Type? Handler,
    Func<HttpRequest, CancellationToken, Task<IResult>> Serve);

/// <summary>One timer-triggered function, its NCRONTAB schedule, and the Core call it runs.</summary>
public sealed record TimerFunction(string Function, string Schedule, Func<IServiceProvider, Func<CancellationToken, Task>> Handler);

/// <summary>One queue-triggered function, the queue it reads, and the Core call that handles a message body.</summary>
public sealed record QueueFunction(
    string Function, string Queue, Func<IServiceProvider, Func<BinaryData, CancellationToken, Task>> Handler);

/// <summary>
/// This app's own function table, the one route table (docs/architecture.md, "Two hosts"): every
/// function either host runs, each declared once here. LocalHost maps it as is; the Functions app
/// declares the same functions with trigger attributes, which must be compile-time constants, and
/// a test (FunctionsMetadataParityTests) compares the <c>functions.metadata</c> the Worker SDK
/// generates from them with this table, so a function added to one host and not the other fails
/// that test.
/// </summary>
public static class AppFunctions
{
    public static IReadOnlyList<ApiEndpoint> Endpoints { get; } =
    [
        Http<IngestHandler>("IngestFunction", HttpMethods.Post, ApiRoutes.Ingest, ApiAuthorization.Function, GuardNeed.EnabledCached,
            (handler, request, ct) => handler.HandleAsync(request.GuardedSettings(), request, ct)),
        Http<WorkspaceAdminHandler>("PutWorkspaceFunction", HttpMethods.Put, ApiRoutes.Workspace, ApiAuthorization.Function, GuardNeed.WorkspaceId,
            (handler, request, ct) => handler.PutAsync(request.GuardedId(), request, ct)),
        Http<WorkspaceAdminHandler>("GetWorkspaceFunction", HttpMethods.Get, ApiRoutes.Workspace, ApiAuthorization.Function, GuardNeed.Existing,
            (_, request, _) => Task.FromResult(WorkspaceAdminHandler.Get(request.GuardedSettings()))),
        Http<WorkspaceAdminHandler>("DeleteWorkspaceFunction", HttpMethods.Delete, ApiRoutes.Workspace, ApiAuthorization.Function, GuardNeed.WorkspaceId,
            (handler, request, ct) => handler.DeleteAsync(request.GuardedId(), request, ct)),
        Http<PreviewHandler>("PreviewFunction", HttpMethods.Post, ApiRoutes.Preview, ApiAuthorization.Function, GuardNeed.Existing,
            (handler, request, ct) => handler.HandleAsync(request.GuardedSettings(), request, ct)),
        Http<DeadLetterAdminHandler>("ListDeadLettersFunction", HttpMethods.Get, ApiRoutes.DeadLetters, ApiAuthorization.Function, GuardNeed.Existing,
            (handler, request, ct) => handler.ListAsync(request.GuardedSettings(), request, ct)),
        Http<DeadLetterAdminHandler>("ReplayDeadLettersFunction", HttpMethods.Post, ApiRoutes.ReplayDeadLetters, ApiAuthorization.Function, GuardNeed.Enabled,
            (handler, request, ct) => handler.ReplayAsync(request.GuardedSettings(), request, ct)),
        Http<DeadLetterAdminHandler>("DeleteDeadLettersFunction", HttpMethods.Delete, ApiRoutes.DeadLetters, ApiAuthorization.Function, GuardNeed.Existing,
            (handler, request, ct) => handler.DeleteAsync(request.GuardedSettings(), request, ct)),
        Http<WorkspaceAdminHandler>("ListWorkspacesFunction", HttpMethods.Get, ApiRoutes.Workspaces, ApiAuthorization.Function, GuardNeed.Storage,
            (handler, _, ct) => handler.ListAsync(ct)),
        Http<StatsHandler>("GetStatsFunction", HttpMethods.Get, ApiRoutes.Stats, ApiAuthorization.Function, GuardNeed.Existing,
            (handler, request, ct) => handler.HandleAsync(request.GuardedSettings(), request, ct)),
        Http<EventLookupHandler>("GetEventFunction", HttpMethods.Get, ApiRoutes.Event, ApiAuthorization.Function, GuardNeed.Existing,
            (handler, request, ct) => handler.HandleAsync(request.GuardedSettings(), RouteValue(request, "messageId"), ct)),
        Http<AuditHandler>("ListAuditFunction", HttpMethods.Get, ApiRoutes.Audit, ApiAuthorization.Function, GuardNeed.Storage,
            (handler, request, ct) => handler.ListAsync(request, ct)),
        // Health answers 503 itself, for probes, and is anonymous: the status only.
        Http<HealthHandler>("HealthFunction", HttpMethods.Get, ApiRoutes.Health, ApiAuthorization.Anonymous, GuardNeed.None,
            (handler, request, ct) => handler.HandleAsync(request, ct)),
        Http<OverviewHandler>("GetOverviewFunction", HttpMethods.Get, ApiRoutes.Overview, ApiAuthorization.Function, GuardNeed.Storage,
            (handler, _, ct) => handler.HandleAsync(ct)),
        // The console's page, script and style hold no data: anonymous, so a browser can load them
        // from the page's own tags; the page calls the keyed API with its ?code= (docs/api.md, "Console").
        new("ConsoleFunction", HttpMethods.Get, ApiRoutes.Console, ApiAuthorization.Anonymous, GuardNeed.None, null,
            (_, _) => Task.FromResult(ConsoleHandler.Page())),
        new("ConsoleAssetFunction", HttpMethods.Get, ApiRoutes.ConsoleAsset, ApiAuthorization.Anonymous, GuardNeed.None, null,
            (request, _) => Task.FromResult(ConsoleHandler.Asset(RouteValue(request, "asset")))),
    ];

    private static readonly FrozenDictionary<string, ApiEndpoint> ByFunction = Endpoints.ToFrozenDictionary(e => e.Function, StringComparer.Ordinal);

    public static IReadOnlyList<QueueFunction> QueueFunctions { get; } =
    [
        new("DeliverFunction", StorageNames.EventsQueue, s => s.GetRequiredService<DeliveryHandler>().HandleAsync),
        new("DrainPoisonFunction", StorageNames.PoisonQueue, s => s.GetRequiredService<PoisonDrain>().HandleAsync),
    ];

    public static IReadOnlyList<TimerFunction> TimerFunctions { get; } =
    [
        new("RetentionFunction", RetentionJob.Schedule, s => async ct => await s.GetRequiredService<RetentionJob>().RunAsync(ct)),
    ];

    /// <summary>The HTTP function of that name, or null (a queue or timer function, or none).</summary>
    public static ApiEndpoint? Endpoint(string function) => ByFunction.GetValueOrDefault(function);

    /// <summary>Registers every HTTP function's handler class (a singleton each).</summary>
    public static IServiceCollection AddAppFunctionHandlers(this IServiceCollection services)
    {
        foreach (var handler in Endpoints.Select(e => e.Handler).OfType<Type>().Distinct())
        {
            services.TryAddSingleton(handler);
        }
        return services;
    }

    private static ApiEndpoint Http<THandler>(
        string function, string method, string route, ApiAuthorization authorization, GuardNeed guard,
        Func<THandler, HttpRequest, CancellationToken, Task<IResult>> serve) where THandler : notnull =>
        new(function, method, route, authorization, guard, typeof(THandler),
            (request, ct) => serve(request.HttpContext.RequestServices.GetRequiredService<THandler>(), request, ct));

    /// <summary>A route parameter as routing gave it (a '%2F' left encoded).</summary>
    private static string RouteValue(HttpRequest request, string name) => request.RouteValues[name] as string ?? "";
}
