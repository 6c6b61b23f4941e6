using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary><see cref="DeadLetterAdminHandler"/>'s functions: a workspace's dead letters listed, replayed, deleted.</summary>
public sealed class DeadLetterFunctions(DeadLetterAdminHandler handler)
{
    [Function("ListDeadLettersFunction")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.DeadLetters)] HttpRequest request,
        FunctionContext context) =>
        handler.ListAsync(request.GuardedSettings(), request, context.CancellationToken).AsActionResult();

    [Function("ReplayDeadLettersFunction")]
    public Task<IActionResult> Replay(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = ApiRoutes.ReplayDeadLetters)] HttpRequest request,
        FunctionContext context) =>
        handler.ReplayAsync(request.GuardedSettings(), request, context.CancellationToken).AsActionResult();

    [Function("DeleteDeadLettersFunction")]
    public Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = ApiRoutes.DeadLetters)] HttpRequest request,
        FunctionContext context) =>
        handler.DeleteAsync(request.GuardedSettings(), request, context.CancellationToken).AsActionResult();
}
