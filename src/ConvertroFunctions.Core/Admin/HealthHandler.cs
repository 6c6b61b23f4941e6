using Azure;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.Core.Workspaces;
using Microsoft.AspNetCore.Http;

namespace ConvertroFunctions.Core.Admin;

/// <summary><c>GET /api/health</c>: 200 when queue and table storage answer, 503 otherwise.</summary>
public sealed class HealthHandler(EventQueue queue, WorkspaceStore workspaces)
{
    public async Task<IResult> HandleAsync(CancellationToken ct)
    {
        var queueCheck = await CheckAsync(async () => await queue.Queue.GetPropertiesAsync(ct));
        var tableCheck = await CheckAsync(async () =>
        {
            await foreach (var _ in workspaces.Table.QueryAsync<Azure.Data.Tables.TableEntity>(maxPerPage: 1, select: ["PartitionKey"], cancellationToken: ct))
            {
                break;
            }
        });
        var healthy = queueCheck == "ok" && tableCheck == "ok";
        return TypedResults.Json(
            new { status = healthy ? "healthy" : "unhealthy", queue = queueCheck, table = tableCheck },
            statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>"ok" when storage answered, including "not created yet" (404); else the error.</summary>
    private static async Task<string> CheckAsync(Func<Task> probe)
    {
        try
        {
            await probe();
            return "ok";
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return "ok";
        }
        catch (Exception ex) when (StorageErrors.IsUnavailable(ex) || ex is RequestFailedException)
        {
            return ex.Message.Split('\n')[0];
        }
    }
}
