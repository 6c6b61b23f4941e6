using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Ingest;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>
/// <see cref="IngestHandler"/>'s function: Segment's webhook. Give Segment this function's own key
/// (never a host key, which would also open the admin functions).
/// </summary>
public sealed class IngestFunctions(IngestHandler handler)
{
    [Function("IngestFunction")]
    public Task<IActionResult> Ingest(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.Ingest)] HttpRequest request,
        FunctionContext context) =>
        handler.HandleAsync(request.GuardedSettings(), request, context.CancellationToken).AsActionResult();
}
