namespace ConvertroFunctions.Core.Http;

/// <summary>
/// Every route, relative to the Functions route prefix <c>api</c>. The Functions app's triggers
/// and LocalHost's endpoints both use these constants, so the two hosts serve identical URLs.
/// </summary>
public static class ApiRoutes
{
    public const string Prefix = "api";
    public const string Ingest = "segment/{workspaceId}";
    public const string Workspace = "workspaces/{workspaceId}";
    public const string Preview = "workspaces/{workspaceId}/preview";
    public const string DeadLetters = "workspaces/{workspaceId}/dead-letters";
    public const string ReplayDeadLetters = "workspaces/{workspaceId}/dead-letters/replay";
    public const string Workspaces = "workspaces";
    public const string Stats = "workspaces/{workspaceId}/stats";
    public const string Event = "workspaces/{workspaceId}/events/{messageId}";
    public const string Health = "health";
    public const string Overview = "overview";
    public const string Audit = "audit";
    public const string Console = "console";
    public const string ConsoleAsset = "console/{asset}";
}
