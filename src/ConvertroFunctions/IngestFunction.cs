using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Ingest;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>
/// POST /api/segment/{workspaceId}: Segment's webhook. Give Segment this function's own key
/// (never a host key, which would also open the admin functions).
/// </summary>
public sealed class IngestFunction(IngestHandler handler)
{
    [Function(nameof(IngestFunction))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.Ingest)] HttpRequest request,
        string workspaceId,
        FunctionContext context) =>
        handler.HandleAsync(workspaceId, request, context.CancellationToken).AsActionResult();
}
