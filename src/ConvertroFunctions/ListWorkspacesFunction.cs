using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>GET /api/workspaces: every workspace's settings, sorted by id.</summary>
public sealed class ListWorkspacesFunction(WorkspaceAdminHandler handler)
{
    [Function(nameof(ListWorkspacesFunction))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Workspaces)] HttpRequest request,
        FunctionContext context) =>
        handler.ListAsync(context.CancellationToken).AsActionResult();
}
