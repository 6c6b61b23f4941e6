using ConvertroFunctions.Core.Workspaces;
using Microsoft.AspNetCore.Http;

namespace ConvertroFunctions.Core.Http;

/// <summary>What <see cref="ApiGuard"/> established about the route's workspace: its canonical id, and its settings when the entry needs it to exist.</summary>
public sealed record GuardedWorkspace(string Id, WorkspaceSettings? Settings);

/// <summary>A handler's view of what the guard established for its request (a request feature).</summary>
public static class GuardedRequest
{
    /// <summary>The route's workspace id as the guard made it canonical (<see cref="GuardNeed.WorkspaceId"/> and above).</summary>
    public static string GuardedId(this HttpRequest request) => Guarded(request).Id;

    /// <summary>The settings the guard read (<see cref="GuardNeed.Existing"/> and above).</summary>
    public static WorkspaceSettings GuardedSettings(this HttpRequest request) =>
        Guarded(request).Settings ?? throw NotGuarded(request, "read no workspace settings");

    private static GuardedWorkspace Guarded(HttpRequest request) =>
        request.HttpContext.Features.Get<GuardedWorkspace>() ?? throw NotGuarded(request, "did not run");

    private static InvalidOperationException NotGuarded(HttpRequest request, string what) => new(
        $"The guard {what} for {request.Method} {request.Path}: a function's {nameof(AppFunctions)} entry names the guard its handler needs, " +
        "and the host applies it before the handler runs.");
}
