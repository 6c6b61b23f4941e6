using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary><see cref="StatsHandler"/>'s function: a workspace's counts per hour and by reason.</summary>
public sealed class StatsFunctions(StatsHandler handler)
{
    [Function("GetStatsFunction")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Stats)] HttpRequest request,
        FunctionContext context) =>
        handler.HandleAsync(request.GuardedSettings(), request, context.CancellationToken).AsActionResult();
}

/// <summary><see cref="EventLookupHandler"/>'s function: what happened to one event.</summary>
public sealed class EventLookupFunctions(EventLookupHandler handler)
{
    [Function("GetEventFunction")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Event)] HttpRequest request,
        string messageId,
        FunctionContext context) =>
        handler.HandleAsync(request.GuardedSettings(), messageId, context.CancellationToken).AsActionResult();
}

/// <summary><see cref="OverviewHandler"/>'s function: what needs attention, each queue's backlog, the dead letters.</summary>
public sealed class OverviewFunctions(OverviewHandler handler)
{
    [Function("GetOverviewFunction")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Overview)] HttpRequest request,
        FunctionContext context) =>
        handler.HandleAsync(context.CancellationToken).AsActionResult();
}

/// <summary><see cref="AuditHandler"/>'s function: every admin change, newest first, a page at a time.</summary>
public sealed class AuditFunctions(AuditHandler handler)
{
    [Function("ListAuditFunction")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Audit)] HttpRequest request,
        FunctionContext context) =>
        handler.ListAsync(request, context.CancellationToken).AsActionResult();
}

/// <summary><see cref="HealthHandler"/>'s function: anonymous, for probes, so the status only.</summary>
public sealed class HealthFunctions(HealthHandler handler)
{
    [Function("HealthFunction")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Health)] HttpRequest request,
        FunctionContext context) =>
        handler.HandleAsync(request, context.CancellationToken).AsActionResult();
}
