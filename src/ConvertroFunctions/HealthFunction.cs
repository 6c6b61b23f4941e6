using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>GET /api/health: 200 when queue and table storage answer, 503 otherwise. Anonymous, for probes: the status only.</summary>
public sealed class HealthFunction(HealthHandler handler)
{
    [Function(nameof(HealthFunction))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Health)] HttpRequest request,
        FunctionContext context) =>
        handler.HandleAsync(request, context.CancellationToken).AsActionResult();
}
