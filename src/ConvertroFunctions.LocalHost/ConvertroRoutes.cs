using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Ingest;

namespace ConvertroFunctions.LocalHost;

/// <summary>The Functions app's HTTP triggers as endpoints: same routes, same Core handlers.</summary>
public static class ConvertroRoutes
{
    public static IEndpointRouteBuilder MapConvertroRoutes(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/" + ApiRoutes.Prefix);
        api.MapPost(ApiRoutes.Ingest, (string workspaceId, HttpRequest request, IngestHandler handler, CancellationToken ct) =>
            handler.HandleAsync(workspaceId, request, ct));
        api.MapPut(ApiRoutes.Workspace, (string workspaceId, HttpRequest request, WorkspaceAdminHandler handler, CancellationToken ct) =>
            handler.PutAsync(workspaceId, request, ct));
        api.MapGet(ApiRoutes.Workspace, (string workspaceId, WorkspaceAdminHandler handler, CancellationToken ct) =>
            handler.GetAsync(workspaceId, ct));
        api.MapDelete(ApiRoutes.Workspace, (string workspaceId, WorkspaceAdminHandler handler, CancellationToken ct) =>
            handler.DeleteAsync(workspaceId, ct));
        api.MapPost(ApiRoutes.Preview, (string workspaceId, HttpRequest request, PreviewHandler handler, CancellationToken ct) =>
            handler.HandleAsync(workspaceId, request, ct));
        api.MapGet(ApiRoutes.DeadLetters, (string workspaceId, HttpRequest request, DeadLetterAdminHandler handler, CancellationToken ct) =>
            handler.ListAsync(workspaceId, request, ct));
        api.MapPost(ApiRoutes.ReplayDeadLetters, (string workspaceId, HttpRequest request, DeadLetterAdminHandler handler, CancellationToken ct) =>
            handler.ReplayAsync(workspaceId, request, ct));
        api.MapGet(ApiRoutes.Health, (HealthHandler handler, CancellationToken ct) => handler.HandleAsync(ct));
        return app;
    }
}
