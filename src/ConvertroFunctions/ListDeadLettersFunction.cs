using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>GET /api/workspaces/{workspaceId}/dead-letters: newest first.</summary>
public sealed class ListDeadLettersFunction(DeadLetterAdminHandler handler)
{
    [Function(nameof(ListDeadLettersFunction))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.DeadLetters)] HttpRequest request,
        string workspaceId,
        FunctionContext context) =>
        handler.ListAsync(workspaceId, request, context.CancellationToken).AsActionResult();
}
