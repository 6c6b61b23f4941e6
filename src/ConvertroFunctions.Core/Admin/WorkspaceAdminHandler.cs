using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Workspaces;
using Microsoft.AspNetCore.Http;

namespace ConvertroFunctions.Core.Admin;

/// <summary><c>PUT/GET/DELETE /api/workspaces/{workspaceId}</c> (ARCHITECTURE.md §4).</summary>
public sealed class WorkspaceAdminHandler(WorkspaceStore store, WorkspaceCache cache, TimeProvider time)
{
    public async Task<IResult> PutAsync(string workspaceId, HttpRequest request, CancellationToken ct)
    {
        if (!WorkspaceId.IsValid(workspaceId))
        {
            return Problems.BadWorkspaceId(workspaceId);
        }
        var (document, error) = await AdminRequests.ReadJsonAsync(request, AdminRequests.MaxSettingsBytes, ct);
        if (error is not null)
        {
            return error;
        }
        using (document)
        {
            var existing = await store.GetAsync(workspaceId, ct);
            var result = WorkspaceSettingsParser.Parse(workspaceId, document!.RootElement, existing, time.GetUtcNow());
            if (result.Settings is null)
            {
                return Problems.Invalid($"The settings for workspace '{workspaceId}' are invalid; nothing was saved.", result.Errors.ToDictionary());
            }
            await store.SaveAsync(result.Settings, ct);
            cache.Invalidate(workspaceId);
            var view = WorkspaceView.Of(result.Settings, result.Warnings);
            return existing is null
                ? TypedResults.Created($"/api/workspaces/{workspaceId}", view)
                : TypedResults.Ok(view);
        }
    }

    public async Task<IResult> GetAsync(string workspaceId, CancellationToken ct)
    {
        var settings = WorkspaceId.IsValid(workspaceId) ? await store.GetAsync(workspaceId, ct) : null;
        return settings is null ? Problems.UnknownWorkspace(workspaceId) : TypedResults.Ok(WorkspaceView.Of(settings));
    }

    /// <summary>Idempotent: 204 whether or not the workspace existed. Its dead letters are kept.</summary>
    public async Task<IResult> DeleteAsync(string workspaceId, CancellationToken ct)
    {
        if (!WorkspaceId.IsValid(workspaceId))
        {
            return Problems.BadWorkspaceId(workspaceId);
        }
        await store.DeleteAsync(workspaceId, ct);
        cache.Invalidate(workspaceId);
        return TypedResults.NoContent();
    }
}
