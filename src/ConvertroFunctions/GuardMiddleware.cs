using ConvertroFunctions.Core.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace ConvertroFunctions;

/// <summary>
/// The Functions app's one guard: before an HTTP function whose table entry
/// (<see cref="AppFunctions.Endpoints"/>) names a guard runs, applies <see cref="ApiGuard"/> with it,
/// as LocalHost's endpoint filter does. The route's workspace id is the trigger's binding data (what
/// the function's own parameter would bind). A refused request never reaches the function, and an
/// exception the guard answers (storage down) ends as that answer: either is written to the
/// response here. Otherwise the function's own result stays the invocation's, which the ASP.NET Core
/// integration executes.
/// </summary>
public sealed class GuardMiddleware(ApiGuard guard) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (AppFunctions.Endpoint(context.FunctionDefinition.Name) is not { Guard: not GuardNeed.None } endpoint)
        {
            await next(context);
            return;
        }
        var http = context.GetHttpContext()
            ?? throw new InvalidOperationException($"{endpoint.Function} has no HttpContext: the app runs with ASP.NET Core integration (ConfigureFunctionsWebApplication).");
        context.BindingContext.BindingData.TryGetValue(ApiGuard.WorkspaceIdParameter, out var workspaceId);
        var answer = await guard.RunAsync(endpoint.Guard, http, workspaceId?.ToString(), async () =>
        {
            await next(context);
            return null;
        }, context.CancellationToken);
        if (answer is not null)
        {
            await answer.ExecuteAsync(http);
        }
    }
}
