using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>PUT /api/workspaces/{workspaceId}: create or replace a workspace's settings.</summary>
public sealed class PutWorkspaceFunction(WorkspaceAdminHandler handler)
{
    [Function(nameof(PutWorkspaceFunction))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = ApiRoutes.Workspace)] HttpRequest request,
        string workspaceId,
        FunctionContext context) =>
        handler.PutAsync(workspaceId, request, context.CancellationToken).AsActionResult();
}
