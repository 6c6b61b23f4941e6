using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>DELETE /api/workspaces/{workspaceId}: 204; the workspace's dead letters are kept.</summary>
public sealed class DeleteWorkspaceFunction(WorkspaceAdminHandler handler)
{
    [Function(nameof(DeleteWorkspaceFunction))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = ApiRoutes.Workspace)] HttpRequest request,
        string workspaceId,
        FunctionContext context) =>
        handler.DeleteAsync(workspaceId, request, context.CancellationToken).AsActionResult();
}
