namespace ConvertroFunctions.Core.DeadLetters;

/// <summary>
/// Why an event is in DeadLetters: a closed set (docs/api.md, "Dead letters"; what to do for each is
/// in docs/operations.md). Stored with every dead letter, a filter of the list and a metric tag.
/// </summary>
public static class ReasonCodes
{
    /// <summary>Convertro refused the call: a 4xx other than 408/429, a 501, or a redirect left after 3.</summary>
    public const string ConvertroRejected = "convertro_rejected";

    /// <summary>Convertro kept failing transiently for the whole retry schedule.</summary>
    public const string RetriesExhausted = "retries_exhausted";

    /// <summary>Processing threw unexpectedly maxDequeueCount times; drained from the poison queue.</summary>
    public const string PoisonMessage = "poison_message";

    /// <summary>The workspace was missing, disabled or incomplete when the event was delivered.</summary>
    public const string WorkspaceUnavailable = "workspace_unavailable";

    /// <summary>A queue message this app did not write (or cannot read); kept whole.</summary>
    public const string UnreadableMessage = "unreadable_message";

    public static IReadOnlyList<string> All { get; } =
        [ConvertroRejected, RetriesExhausted, PoisonMessage, WorkspaceUnavailable, UnreadableMessage];

    public static bool IsKnown(string? code) => code is not null && All.Contains(code);
}
