using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>GET /api/audit: every admin change, newest first, a page at a time.</summary>
public sealed class ListAuditFunction(AuditHandler handler)
{
    [Function(nameof(ListAuditFunction))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Audit)] HttpRequest request,
        FunctionContext context) =>
        handler.ListAsync(request, context.CancellationToken).AsActionResult();
}
