using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>POST /api/workspaces/{workspaceId}/preview: the Convertro calls events map to; sends nothing.</summary>
public sealed class PreviewFunction(PreviewHandler handler)
{
    [Function(nameof(PreviewFunction))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.Preview)] HttpRequest request,
        string workspaceId,
        FunctionContext context) =>
        handler.HandleAsync(workspaceId, request, context.CancellationToken).AsActionResult();
}
