using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>POST /api/workspaces/{workspaceId}/dead-letters/replay: re-enqueue some or all dead letters.</summary>
public sealed class ReplayDeadLettersFunction(DeadLetterAdminHandler handler)
{
    [Function(nameof(ReplayDeadLettersFunction))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.ReplayDeadLetters)] HttpRequest request,
        string workspaceId,
        FunctionContext context) =>
        handler.ReplayAsync(workspaceId, request, context.CancellationToken).AsActionResult();
}
