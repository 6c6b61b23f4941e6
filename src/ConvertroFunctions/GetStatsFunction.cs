using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>GET /api/workspaces/{workspaceId}/stats?hours=N: counts per hour and by reason.</summary>
public sealed class GetStatsFunction(StatsHandler handler)
{
    [Function(nameof(GetStatsFunction))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Stats)] HttpRequest request,
        string workspaceId,
        FunctionContext context) =>
        handler.HandleAsync(workspaceId, request, context.CancellationToken).AsActionResult();
}
