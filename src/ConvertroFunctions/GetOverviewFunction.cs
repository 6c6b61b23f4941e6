using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>GET /api/overview: what needs attention, each queue's backlog, the dead letters stored and recent.</summary>
public sealed class GetOverviewFunction(OverviewHandler handler)
{
    [Function(nameof(GetOverviewFunction))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Overview)] HttpRequest request,
        FunctionContext context) =>
        handler.HandleAsync(context.CancellationToken).AsActionResult();
}
