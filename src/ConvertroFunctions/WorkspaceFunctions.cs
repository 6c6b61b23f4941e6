using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary><see cref="WorkspaceAdminHandler"/>'s functions: a workspace's settings, and the list of them.</summary>
public sealed class WorkspaceFunctions(WorkspaceAdminHandler handler)
{
    [Function("PutWorkspaceFunction")]
    public Task<IActionResult> Put(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = ApiRoutes.Workspace)] HttpRequest request,
        FunctionContext context) =>
        handler.PutAsync(request.GuardedId(), request, context.CancellationToken).AsActionResult();

    [Function("GetWorkspaceFunction")]
    public IActionResult Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Workspace)] HttpRequest request) =>
        new ResultAction(WorkspaceAdminHandler.Get(request.GuardedSettings()));

    [Function("DeleteWorkspaceFunction")]
    public Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = ApiRoutes.Workspace)] HttpRequest request,
        FunctionContext context) =>
        handler.DeleteAsync(request.GuardedId(), request, context.CancellationToken).AsActionResult();

    [Function("ListWorkspacesFunction")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Workspaces)] HttpRequest request,
        FunctionContext context) =>
        handler.ListAsync(context.CancellationToken).AsActionResult();
}

/// <summary><see cref="PreviewHandler"/>'s function: the Convertro calls events map to; sends nothing.</summary>
public sealed class PreviewFunctions(PreviewHandler handler)
{
    [Function("PreviewFunction")]
    public Task<IActionResult> Preview(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.Preview)] HttpRequest request,
        FunctionContext context) =>
        handler.HandleAsync(request.GuardedSettings(), request, context.CancellationToken).AsActionResult();
}
