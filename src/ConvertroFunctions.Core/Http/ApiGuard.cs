using Azure;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.Core.Workspaces;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ConvertroFunctions.Core.Http;

/// <summary>
/// What a function's table entry (<see cref="ApiEndpoint.Guard"/>) needs before its handler runs:
/// each host applies <see cref="ApiGuard"/> with it, once (LocalHost an endpoint filter, the
/// Functions app one worker middleware).
/// </summary>
public enum GuardNeed
{
    /// <summary>No guard: health (its own 503, for probes) and the console's page and assets (no data, their own caching).</summary>
    None,

    /// <summary>Storage outages answered 503 with Retry-After, and no answer cached; the route names no workspace.</summary>
    Storage,

    /// <summary>As <see cref="Storage"/>, and the route's workspace id made canonical (400 when malformed); it need not exist.</summary>
    WorkspaceId,

    /// <summary>The workspace must exist (settings read from the table; 404).</summary>
    Existing,

    /// <summary>It must exist and be enabled (404, 403).</summary>
    Enabled,

    /// <summary>It must exist and be enabled, read through the settings cache (ingest: hundreds of requests a second).</summary>
    EnabledCached,
}

/// <summary>
/// The one guard every data route runs behind (docs/api.md, "Errors"), applied by the host from the
/// function's table entry, never by a handler: the workspace id checked and made canonical the same
/// way everywhere (400 when malformed, 404 unknown, 403 disabled), 503 with Retry-After whenever
/// storage cannot be reached, so a caller knows to try again, and <c>Cache-Control: no-store</c> on
/// every answer. What it established reaches the handler through <see cref="GuardedRequest"/>.
/// </summary>
public sealed partial class ApiGuard(WorkspaceStore store, WorkspaceCache cache, ILogger<ApiGuard> logger)
{
    /// <summary>The route parameter every workspace route names its workspace with.</summary>
    public const string WorkspaceIdParameter = "workspaceId";

    private const string NoStoreValue = "no-store";

    /// <summary>
    /// Runs <paramref name="handler"/> behind the guard <paramref name="need"/> names, for the request
    /// of <paramref name="context"/> whose route gave <paramref name="rawWorkspaceId"/>. Returns the
    /// guard's answer (400, 404, 403, 503, or 400/500 for a broken request or a refusal by storage),
    /// or what <paramref name="handler"/> returned.
    /// </summary>
    public async Task<IResult?> RunAsync(
        GuardNeed need, HttpContext context, string? rawWorkspaceId, Func<Task<IResult?>> handler, CancellationToken ct)
    {
        if (need == GuardNeed.None)
        {
            return await handler();
        }
        // Answers carry workspace settings and events (personal data): no browser or proxy may keep
        // them. Set before anything runs, so it is on every answer, the guard's and the handler's.
        context.Response.Headers.CacheControl = NoStoreValue;
        if (need == GuardNeed.Storage)
        {
            return await AnswerFailuresAsync(handler);
        }
        if (!Workspaces.WorkspaceId.TryNormalize(rawWorkspaceId, out var id))
        {
            return Problems.BadWorkspaceId(rawWorkspaceId ?? "");
        }
        return await AnswerFailuresAsync(async () =>
        {
            WorkspaceSettings? settings = null;
            if (need != GuardNeed.WorkspaceId)
            {
                settings = need == GuardNeed.EnabledCached ? await cache.GetAsync(id, ct) : await store.GetAsync(id, ct);
                if (settings is null)
                {
                    return Problems.UnknownWorkspace(rawWorkspaceId!);
                }
                if (need is GuardNeed.Enabled or GuardNeed.EnabledCached && !settings.Enabled)
                {
                    return Problems.DisabledWorkspace(id);
                }
            }
            context.Features.Set(new GuardedWorkspace(id, settings));
            return await handler();
        });
    }

    /// <summary>
    /// <c>Cache-Control: no-store</c> on a result served outside the guard (LocalHost's sandbox
    /// requests): what it shows may be personal data too (docs/api.md, "Errors").
    /// </summary>
    public static IResult NoStore(IResult result) => new WithHeaders(result, headers => headers.CacheControl = NoStoreValue);

    private async Task<IResult?> AnswerFailuresAsync(Func<Task<IResult?>> handler)
    {
        try
        {
            return await handler();
        }
        catch (BadHttpRequestException ex)
        {
            // The request itself broke off or broke a limit (an IOException, but not storage's fault).
            return Problems.Of(ex.StatusCode, "Bad request", ex.Message);
        }
        catch (Exception ex) when (StorageErrors.IsUnavailable(ex))
        {
            LogStorageDown(logger, ex.Message);
            return Problems.StorageUnavailable();
        }
        catch (RequestFailedException ex)
        {
            // Storage answered, but refused: not worth retrying as is. Say what it said.
            LogStorageRefused(logger, ex, ex.Status, ex.ErrorCode);
            return Problems.Of(StatusCodes.Status500InternalServerError, "Storage refused the request",
                $"Azure Storage answered {ex.Status} ({ex.ErrorCode ?? "no error code"}); see the logs.");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage unavailable; answered 503 ({Error})")]
    private static partial void LogStorageDown(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage refused a request: {Status} {ErrorCode}")]
    private static partial void LogStorageRefused(ILogger logger, Exception exception, int status, string? errorCode);
}
