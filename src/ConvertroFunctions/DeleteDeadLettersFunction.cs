using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>DELETE /api/workspaces/{workspaceId}/dead-letters: some by id, or all (of one reason code).</summary>
public sealed class DeleteDeadLettersFunction(DeadLetterAdminHandler handler)
{
    [Function(nameof(DeleteDeadLettersFunction))]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = ApiRoutes.DeadLetters)] HttpRequest request,
        string workspaceId,
        FunctionContext context) =>
        handler.DeleteAsync(workspaceId, request, context.CancellationToken).AsActionResult();
}
