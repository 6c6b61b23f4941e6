using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Delivery;
using ConvertroFunctions.Core.Ingest;
using ConvertroFunctions.Core.OperatorConsole;
using ConvertroFunctions.Core.Privacy;
using ConvertroFunctions.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

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
/// requirement, and the Core call that serves it.
/// </summary>
public sealed record ApiEndpoint(string Function, string Method, string Route, ApiAuthorization Authorization, Delegate Handler);

/// <summary>One timer-triggered function, its NCRONTAB schedule, and the Core call it runs.</summary>
public sealed record TimerFunction(string Function, string Schedule, Func<IServiceProvider, Func<CancellationToken, Task>> Handler);

/// <summary>One queue-triggered function, the queue it reads, and the Core call that handles a message body.</summary>
public sealed record QueueFunction(
    string Function, string Queue, Func<IServiceProvider, Func<BinaryData, CancellationToken, Task>> Handler);

/// <summary>
/// This app's own function table, the one route table (docs/architecture.md, "Two hosts"): every
/// function either host runs. LocalHost maps it as is (<see cref="MapAppFunctions"/>); the Functions
/// app declares the same functions with trigger attributes, which must be compile-time constants,
/// and a test (FunctionsMetadataParityTests) compares the <c>functions.metadata</c> the Worker SDK
/// generates from them with this table, so a function added to one host and not the other fails
/// that test.
/// </summary>
public static class AppFunctions
{
    public static IReadOnlyList<ApiEndpoint> Endpoints { get; } =
    [
        new("IngestFunction", HttpMethods.Post, ApiRoutes.Ingest, ApiAuthorization.Function,
            (string workspaceId, HttpRequest request, IngestHandler handler, CancellationToken ct) => handler.HandleAsync(workspaceId, request, ct)),
        new("PutWorkspaceFunction", HttpMethods.Put, ApiRoutes.Workspace, ApiAuthorization.Function,
            (string workspaceId, HttpRequest request, WorkspaceAdminHandler handler, CancellationToken ct) => handler.PutAsync(workspaceId, request, ct)),
        new("GetWorkspaceFunction", HttpMethods.Get, ApiRoutes.Workspace, ApiAuthorization.Function,
            (string workspaceId, WorkspaceAdminHandler handler, CancellationToken ct) => handler.GetAsync(workspaceId, ct)),
        new("DeleteWorkspaceFunction", HttpMethods.Delete, ApiRoutes.Workspace, ApiAuthorization.Function,
            (string workspaceId, HttpRequest request, WorkspaceAdminHandler handler, CancellationToken ct) => handler.DeleteAsync(workspaceId, request, ct)),
        new("PreviewFunction", HttpMethods.Post, ApiRoutes.Preview, ApiAuthorization.Function,
            (string workspaceId, HttpRequest request, PreviewHandler handler, CancellationToken ct) => handler.HandleAsync(workspaceId, request, ct)),
        new("ListDeadLettersFunction", HttpMethods.Get, ApiRoutes.DeadLetters, ApiAuthorization.Function,
            (string workspaceId, HttpRequest request, DeadLetterAdminHandler handler, CancellationToken ct) => handler.ListAsync(workspaceId, request, ct)),
        new("ReplayDeadLettersFunction", HttpMethods.Post, ApiRoutes.ReplayDeadLetters, ApiAuthorization.Function,
            (string workspaceId, HttpRequest request, DeadLetterAdminHandler handler, CancellationToken ct) => handler.ReplayAsync(workspaceId, request, ct)),
        new("DeleteDeadLettersFunction", HttpMethods.Delete, ApiRoutes.DeadLetters, ApiAuthorization.Function,
            (string workspaceId, HttpRequest request, DeadLetterAdminHandler handler, CancellationToken ct) => handler.DeleteAsync(workspaceId, request, ct)),
        new("ListWorkspacesFunction", HttpMethods.Get, ApiRoutes.Workspaces, ApiAuthorization.Function,
            (WorkspaceAdminHandler handler, CancellationToken ct) => handler.ListAsync(ct)),
        new("GetStatsFunction", HttpMethods.Get, ApiRoutes.Stats, ApiAuthorization.Function,
            (string workspaceId, HttpRequest request, StatsHandler handler, CancellationToken ct) => handler.HandleAsync(workspaceId, request, ct)),
        new("GetEventFunction", HttpMethods.Get, ApiRoutes.Event, ApiAuthorization.Function,
            (string workspaceId, string messageId, EventLookupHandler handler, CancellationToken ct) => handler.HandleAsync(workspaceId, messageId, ct)),
        new("ListAuditFunction", HttpMethods.Get, ApiRoutes.Audit, ApiAuthorization.Function,
            (HttpRequest request, AuditHandler handler, CancellationToken ct) => handler.ListAsync(request, ct)),
        new("HealthFunction", HttpMethods.Get, ApiRoutes.Health, ApiAuthorization.Anonymous,
            (HealthHandler handler, HttpRequest request, CancellationToken ct) => handler.HandleAsync(request, ct)),
        new("GetOverviewFunction", HttpMethods.Get, ApiRoutes.Overview, ApiAuthorization.Function,
            (OverviewHandler handler, CancellationToken ct) => handler.HandleAsync(ct)),
        // The console's page, script and style hold no data: anonymous, so a browser can load them
        // from the page's own tags; the page calls the keyed API with its ?code= (docs/api.md, "Console").
        new("ConsoleFunction", HttpMethods.Get, ApiRoutes.Console, ApiAuthorization.Anonymous,
            () => ConsoleHandler.Page()),
        new("ConsoleAssetFunction", HttpMethods.Get, ApiRoutes.ConsoleAsset, ApiAuthorization.Anonymous,
            (string asset) => ConsoleHandler.Asset(asset)),
    ];

    public static IReadOnlyList<QueueFunction> QueueFunctions { get; } =
    [
        new("DeliverFunction", StorageNames.EventsQueue, s => s.GetRequiredService<DeliveryHandler>().HandleAsync),
        new("DrainPoisonFunction", StorageNames.PoisonQueue, s => s.GetRequiredService<PoisonDrain>().HandleAsync),
    ];

    public static IReadOnlyList<TimerFunction> TimerFunctions { get; } =
    [
        new("RetentionFunction", RetentionJob.Schedule, s => async ct => await s.GetRequiredService<RetentionJob>().RunAsync(ct)),
    ];

    /// <summary>Serves every entry of <see cref="Endpoints"/> under <c>/api</c>; each endpoint carries its <see cref="ApiEndpoint"/> as metadata.</summary>
    public static IEndpointRouteBuilder MapAppFunctions(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/" + ApiRoutes.Prefix);
        foreach (var endpoint in Endpoints)
        {
            api.MapMethods(endpoint.Route, [endpoint.Method], endpoint.Handler)
                .WithName(endpoint.Function)
                .WithMetadata(endpoint);
        }
        return app;
    }
}
