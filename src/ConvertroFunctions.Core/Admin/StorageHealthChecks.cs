using Azure;
using Azure.Data.Tables;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.Core.Workspaces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ConvertroFunctions.Core.Admin;

/// <summary>
/// The health checks behind <c>GET /api/health</c> (Microsoft.Extensions.Diagnostics.HealthChecks):
/// one per dependency, each with its own timeout, run side by side, so a storage that does not
/// answer makes health answer 503 within about <see cref="Timeout"/> instead of after the storage
/// SDK's retries (docs/api.md, "Health").
/// </summary>
public static class StorageHealthChecks
{
    public const string Queue = "queue", Table = "table";

    /// <summary>How long one check may take before it counts as failed.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    public static IServiceCollection AddStorageHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<QueueHealthCheck>(Queue, timeout: Timeout)
            .AddCheck<TableHealthCheck>(Table, timeout: Timeout);
        return services;
    }

    /// <summary>Healthy when storage answered, including "not created yet" (404); else unhealthy with the error's first line.</summary>
    internal static async Task<HealthCheckResult> ProbeAsync(Func<Task> probe)
    {
        try
        {
            await probe();
            return HealthCheckResult.Healthy();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (StorageErrors.IsUnavailable(ex) || ex is RequestFailedException)
        {
            return HealthCheckResult.Unhealthy(ex.Message.Split('\n')[0]);
        }
    }
}

/// <summary>The events queue answers (its properties).</summary>
public sealed class QueueHealthCheck(EventQueue queue) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        StorageHealthChecks.ProbeAsync(async () => await queue.Queue.GetPropertiesAsync(ct));
}

/// <summary>Table storage answers (one key of the Workspaces table).</summary>
public sealed class TableHealthCheck(WorkspaceStore workspaces) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        StorageHealthChecks.ProbeAsync(async () =>
        {
            await foreach (var _ in workspaces.Table.QueryAsync<TableEntity>(maxPerPage: 1, select: ["PartitionKey"], cancellationToken: ct))
            {
                break;
            }
        });
}
