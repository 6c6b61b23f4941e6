using Azure;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.Core.Workspaces;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ConvertroFunctions.Core.Http;

/// <summary>What a route needs of the workspace it names.</summary>
public enum WorkspaceNeed
{
    /// <summary>The workspace must exist (settings read from the table).</summary>
    Existing,

    /// <summary>It must exist and be enabled.</summary>
    Enabled,

    /// <summary>It must exist and be enabled, read through the settings cache (ingest: hundreds of requests a second).</summary>
    EnabledCached,
}

/// <summary>
/// The one guard every handler runs behind (docs/api.md, "Errors"): the workspace id checked and
/// made canonical the same way everywhere (400 when malformed, 404 unknown, 403 disabled), 503
/// with Retry-After whenever storage cannot be reached, so a caller knows to try again, and
/// <c>Cache-Control: no-store</c> on every answer.
/// </summary>
public sealed partial class ApiGuard(WorkspaceStore store, WorkspaceCache cache, ILogger<ApiGuard> logger)
{
    /// <summary>Runs <paramref name="handler"/>, answering 503 when storage is down; no answer is cached (<see cref="NoStore"/>).</summary>
    public async Task<IResult> RunAsync(Func<Task<IResult>> handler) => NoStore(await RunUncachedAsync(handler));

    /// <summary>
    /// <c>Cache-Control: no-store</c>: answers carry workspace settings and events (personal data);
    /// no browser or proxy may keep them (docs/api.md, "Errors").
    /// </summary>
    public static IResult NoStore(IResult result) => new WithHeaders(result, headers => headers.CacheControl = "no-store");

    private async Task<IResult> RunUncachedAsync(Func<Task<IResult>> handler)
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

    /// <summary>Runs <paramref name="handler"/> with the canonical workspace id, or answers 400.</summary>
    public Task<IResult> WithIdAsync(string rawId, Func<string, Task<IResult>> handler) =>
        WorkspaceId.TryNormalize(rawId, out var id) ? RunAsync(() => handler(id)) : Task.FromResult(NoStore(Problems.BadWorkspaceId(rawId)));

    /// <summary>Runs <paramref name="handler"/> with the workspace's settings, or answers 400, 404 or 403 (per <paramref name="need"/>) or 503.</summary>
    public Task<IResult> WithWorkspaceAsync(string rawId, WorkspaceNeed need, Func<WorkspaceSettings, Task<IResult>> handler, CancellationToken ct) =>
        WithIdAsync(rawId, async id =>
        {
            var settings = need == WorkspaceNeed.EnabledCached ? await cache.GetAsync(id, ct) : await store.GetAsync(id, ct);
            if (settings is null)
            {
                return Problems.UnknownWorkspace(rawId);
            }
            if (need is WorkspaceNeed.Enabled or WorkspaceNeed.EnabledCached && !settings.Enabled)
            {
                return Problems.DisabledWorkspace(id);
            }
            return await handler(settings);
        });

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage unavailable; answered 503 ({Error})")]
    private static partial void LogStorageDown(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage refused a request: {Status} {ErrorCode}")]
    private static partial void LogStorageRefused(ILogger logger, Exception exception, int status, string? errorCode);
}
