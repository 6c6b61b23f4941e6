using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>GET /api/workspaces/{workspaceId}/events/{messageId}: what happened to one event.</summary>
public sealed class GetEventFunction(EventLookupHandler handler)
{
    [Function(nameof(GetEventFunction))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Event)] HttpRequest request,
        string workspaceId,
        string messageId,
        FunctionContext context) =>
        handler.HandleAsync(workspaceId, messageId, context.CancellationToken).AsActionResult();
}
