using ConvertroFunctions.Core.Audit;
using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Workspaces;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Admin;

/// <summary>PutWorkspaceFunction, GetWorkspaceFunction, DeleteWorkspaceFunction and ListWorkspacesFunction (docs/api.md, "Workspaces").</summary>
public sealed class WorkspaceAdminHandler(
    WorkspaceStore store, WorkspaceCache cache, TimeProvider time, IOptions<ConvertroOptions> convertro, AuditTrail audit)
{
    public async Task<IResult> PutAsync(string id, HttpRequest request, CancellationToken ct)
    {
        var (document, error) = await AdminRequests.ReadJsonAsync(request, AdminRequests.MaxSettingsBytes, ct);
        if (error is not null)
        {
            return error;
        }
        using (document)
        {
            var existing = await store.GetAsync(id, ct);
            var result = WorkspaceSettingsParser.Parse(id, document!.RootElement, existing, time.GetUtcNow(), convertro.Value.AllowedDomains);
            if (result.Settings is null)
            {
                return Problems.Invalid($"The settings for workspace '{id}' are invalid; nothing was saved.", result.Errors.ToDictionary());
            }
            await store.SaveAsync(result.Settings, ct);
            cache.Invalidate(id);
            await audit.RecordAsync(request, id, SettingsChanges.Between(existing, result.Settings), ct);
            var view = WorkspaceView.Of(result.Settings, result.Warnings);
            return existing is null ? TypedResults.Created($"/api/workspaces/{id}", view) : TypedResults.Ok(view);
        }
    }

    public static IResult Get(WorkspaceSettings settings) => TypedResults.Ok(WorkspaceView.Of(settings));

    /// <summary>Idempotent: 204 whether or not the workspace existed (audited only when it did). Its dead letters are kept.</summary>
    public async Task<IResult> DeleteAsync(string id, HttpRequest request, CancellationToken ct)
    {
        if (RequestBody.RefuseNonJson(request) is { } notJson)
        {
            return notJson;
        }
        var deleted = await store.DeleteAsync(id, ct);
        cache.Invalidate(id);
        if (deleted)
        {
            await audit.RecordAsync(request, id, new AuditChange(AuditActions.WorkspaceDeleted), ct);
        }
        return TypedResults.NoContent();
    }

    /// <summary>Every workspace's settings view, sorted by id.</summary>
    public async Task<IResult> ListAsync(CancellationToken ct) =>
        TypedResults.Ok(new { workspaces = (await store.ListAsync(ct)).Select(s => WorkspaceView.Of(s)) });
}
