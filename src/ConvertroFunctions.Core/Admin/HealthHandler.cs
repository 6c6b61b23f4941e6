using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ConvertroFunctions.Core.Admin;

/// <summary>
/// HealthFunction: 200 <c>{"status":"healthy"}</c> when every check of
/// <see cref="StorageHealthChecks"/> passes, 503 <c>{"status":"unhealthy"}</c> otherwise. Callers
/// the host cannot tell apart from anyone (the Functions app's health is anonymous) get the status
/// only; <see cref="HealthAudience"/> lets a host that trusts its callers (LocalHost, loopback) add each
/// check's result, <c>"ok"</c> or its error.
/// </summary>
public sealed class HealthHandler(HealthCheckService checks, HealthAudience audience)
{
    public async Task<IResult> HandleAsync(HttpRequest request, CancellationToken ct)
    {
        var report = await checks.CheckHealthAsync(ct);
        var healthy = report.Status == HealthStatus.Healthy;
        var statusCode = healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        var status = healthy ? "healthy" : "unhealthy";
        if (!audience.SeesDetail(request))
        {
            return TypedResults.Json(new { status }, statusCode: statusCode);
        }
        return TypedResults.Json(
            new { status, queue = Describe(report, StorageHealthChecks.Queue), table = Describe(report, StorageHealthChecks.Table) },
            statusCode: statusCode);
    }

    private static string Describe(HealthReport report, string check) => report.Entries[check] switch
    {
        { Status: HealthStatus.Healthy } => "ok",
        { Exception: OperationCanceledException } => $"no answer within {StorageHealthChecks.Timeout.TotalSeconds:0.#} s",
        var entry => entry.Description ?? entry.Exception?.Message.Split('\n')[0] ?? "failed",
    };
}

/// <summary>
/// Who sees each check's result in the health answer: nobody in the Functions app, whose health
/// function is anonymous (the worker cannot verify a key it is sent); LocalHost, which checks no keys
/// and serves loopback only, shows them to every caller.
/// </summary>
public class HealthAudience
{
    public virtual bool SeesDetail(HttpRequest request) => false;
}
