using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>GET /api/workspaces/{workspaceId}: the settings, without its secrets (whether each is set).</summary>
public sealed class GetWorkspaceFunction(WorkspaceAdminHandler handler)
{
    [Function(nameof(GetWorkspaceFunction))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Workspace)] HttpRequest request,
        string workspaceId,
        FunctionContext context) =>
        handler.GetAsync(workspaceId, context.CancellationToken).AsActionResult();
}
