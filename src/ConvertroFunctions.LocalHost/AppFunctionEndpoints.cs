using ConvertroFunctions.Core.Http;

namespace ConvertroFunctions.LocalHost;

/// <summary>LocalHost's HTTP functions: the table (<see cref="AppFunctions.Endpoints"/>) mapped as is, each entry behind its guard.</summary>
public static class AppFunctionEndpoints
{
    /// <summary>
    /// Serves every entry under <c>/api</c>, carrying its <see cref="ApiEndpoint"/> as metadata; a
    /// guarded entry gets one endpoint filter that applies <see cref="ApiGuard"/> with the entry's
    /// <see cref="ApiEndpoint.Guard"/>, as the Functions app's GuardMiddleware does.
    /// </summary>
    public static IEndpointRouteBuilder MapAppFunctions(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/" + ApiRoutes.Prefix);
        foreach (var endpoint in AppFunctions.Endpoints)
        {
            var route = api.MapMethods(endpoint.Route, [endpoint.Method], (HttpRequest request, CancellationToken ct) => endpoint.Serve(request, ct))
                .WithName(endpoint.Function)
                .WithMetadata(endpoint);
            if (endpoint.Guard != GuardNeed.None)
            {
                route.AddEndpointFilter((context, next) => GuardAsync(endpoint, context, next));
            }
        }
        return app;
    }

    private static async ValueTask<object?> GuardAsync(ApiEndpoint endpoint, EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        return await http.RequestServices.GetRequiredService<ApiGuard>().RunAsync(
            endpoint.Guard, http, http.Request.RouteValues[ApiGuard.WorkspaceIdParameter] as string,
            async () => (IResult?)await next(context), http.RequestAborted);
    }
}
