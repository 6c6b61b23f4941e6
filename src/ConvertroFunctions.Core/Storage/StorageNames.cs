namespace ConvertroFunctions.Core.Storage;

/// <summary>Queue and table names fixed by the contract (docs/architecture.md, "Storage map").</summary>
public static class StorageNames
{
    public const string EventsQueue = "segment-events";
    public const string PoisonQueue = "segment-events-poison";
    public const string WorkspacesTable = "Workspaces";
    public const string DeadLettersTable = "DeadLetters";

    /// <summary>The setting the Functions host and this app read storage from.</summary>
    public const string ConnectionSetting = "AzureWebJobsStorage";
}
