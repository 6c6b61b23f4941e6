using ConvertroFunctions.Core.Storage;

namespace ConvertroFunctions.Core.Monitoring;

/// <summary>One thing an operator should look at now: a code, a sentence, and where the runbook says what to do.</summary>
public sealed record AttentionItem(string Code, string Title, string Detail);

/// <summary>
/// What the console's banner says, decided from values: the poison queue holding more than
/// <see cref="MonitoringOptions.PoisonMessagesThreshold"/> messages, more than
/// <see cref="MonitoringOptions.DeadLettersThreshold"/> dead letters within the window, or the oldest
/// message of segment-events waiting longer than <see cref="MonitoringOptions.OldestMessageMinutes"/>:
/// the same conditions and settings as three of the alert rules in infra/ (docs/operations.md).
/// </summary>
public static class Attention
{
    public const string PoisonQueue = "poison_queue", DeadLetters = "dead_letters", Backlog = "backlog";

    private const int NamedAtMost = 5;

    public static IReadOnlyList<AttentionItem> Of(IReadOnlyList<QueueBacklog> queues, DeadLetterCensus census, MonitoringOptions options)
    {
        var items = new List<AttentionItem>();
        if (queues.FirstOrDefault(q => q.Queue == StorageNames.PoisonQueue) is { } poison && poison.Length > options.PoisonMessagesThreshold)
        {
            items.Add(new(PoisonQueue,
                $"The poison queue holds {Messages(poison.Length)}.",
                $"{StorageNames.PoisonQueue} is not being drained into the dead letters: DrainPoisonFunction is failing (storage) or disabled. " +
                "docs/operations.md, \"Alert: poison queue not empty\"."));
        }
        if (census.Recent > options.DeadLettersThreshold)
        {
            var which = census.Counts.Where(c => c.Recent > 0).OrderByDescending(c => c.Recent).ThenBy(c => c.WorkspaceId, StringComparer.Ordinal)
                .Take(NamedAtMost).Select(c => $"{c.WorkspaceId}: {c.ReasonCode} {c.Recent}");
            items.Add(new(DeadLetters,
                $"{census.Recent} dead letter{(census.Recent == 1 ? "" : "s")} in the last {options.DeadLetterWindowMinutes} minutes.",
                $"{string.Join(", ", which)}. Open Dead letters below, fix what the reason says, then replay. docs/operations.md, \"Alert: dead letters\"."));
        }
        if (queues.FirstOrDefault(q => q.Queue == StorageNames.EventsQueue) is { } events
            && events.OldestWaiting > TimeSpan.FromMinutes(options.OldestMessageMinutes))
        {
            items.Add(new(Backlog,
                $"The oldest message in {StorageNames.EventsQueue} has waited {Minutes(events.OldestWaiting)} (more than {options.OldestMessageMinutes} minutes).",
                $"Delivery is not keeping up or not running; {Messages(events.Length)} queued. docs/operations.md, \"Alert: oldest waiting message\"."));
        }
        return items;
    }

    private static string Messages(long n) => n == 1 ? "1 message" : $"{n} messages";

    private static string Minutes(TimeSpan t) => $"{(int)t.TotalMinutes} minutes";
}
