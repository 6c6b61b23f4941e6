namespace ConvertroFunctions.Core.Audit;

/// <summary>What an audit record says happened: a closed set (docs/api.md, "Audit").</summary>
public static class AuditActions
{
    public const string WorkspaceCreated = "workspace_created";
    public const string WorkspaceReplaced = "workspace_replaced";
    public const string WorkspaceDeleted = "workspace_deleted";
    public const string SecretSet = "secret_set";
    public const string SecretRemoved = "secret_removed";
    public const string DeadLettersReplayed = "dead_letters_replayed";
    public const string DeadLettersDeleted = "dead_letters_deleted";
    public const string UserPurged = "user_purged";

    public static IReadOnlyList<string> All { get; } =
        [WorkspaceCreated, WorkspaceReplaced, WorkspaceDeleted, SecretSet, SecretRemoved, DeadLettersReplayed, DeadLettersDeleted, UserPurged];
}

/// <summary>One change an audit record is written for, before it has a time and a caller.</summary>
/// <param name="Detail">What changed, in words: field names, counts, a messageId; never a secret or an event's content.</param>
public sealed record AuditChange(string Action, string? Detail = null)
{
    /// <summary>Dead letters replayed or deleted: how many, and which (the ids given, or all, of one reason).</summary>
    public static AuditChange DeadLetters(string action, int count, IReadOnlyList<string>? ids, string? reasonCode, int notFound) =>
        new(action, $"{count} dead letter(s); " + (ids is not null
            ? $"ids: {string.Join(", ", ids.Take(20))}{(ids.Count > 20 ? $" and {ids.Count - 20} more" : "")}{(notFound > 0 ? $" ({notFound} not found)" : "")}"
            : "all" + (reasonCode is null ? "" : " with reason " + reasonCode)));
}

/// <summary>
/// One admin change (docs/api.md, "Audit"): what, which workspace, when, and which key did it
/// (<see cref="AuditCaller"/>). Never a secret's value, never an event's content.
/// </summary>
public sealed record AuditRecord(string Id, DateTimeOffset At, string Action, string WorkspaceId, string Key, string? Detail);

/// <summary>The audit records one settings change makes.</summary>
public static class SettingsChanges
{
    /// <summary>
    /// Created, or replaced with the names of the settings that changed; then each secret set or
    /// removed (by name: <c>sharedSecret</c>, <c>gdprApiKey</c>; never its value).
    /// </summary>
    public static IReadOnlyList<AuditChange> Between(Workspaces.WorkspaceSettings? before, Workspaces.WorkspaceSettings after)
    {
        var changes = new List<AuditChange>();
        if (before is null)
        {
            changes.Add(new(AuditActions.WorkspaceCreated));
        }
        else
        {
            var changed = new (string Name, bool Differs)[]
            {
                ("account", before.Account != after.Account),
                ("clientName", before.ClientName != after.ClientName),
                ("siteId", before.SiteId != after.SiteId),
                ("domain", before.Domain != after.Domain),
                ("events", !before.Events.OrderBy(e => e.Key, StringComparer.Ordinal).SequenceEqual(after.Events.OrderBy(e => e.Key, StringComparer.Ordinal))),
                ("hybridAttributionModel", before.HybridAttributionModel != after.HybridAttributionModel),
                ("enabled", before.Enabled != after.Enabled),
            }.Where(c => c.Differs).Select(c => c.Name).ToList();
            changes.Add(new(AuditActions.WorkspaceReplaced, changed.Count == 0 ? "no setting changed" : "changed: " + string.Join(", ", changed)));
        }
        foreach (var (name, old, now) in new[] { ("sharedSecret", before?.SharedSecret, after.SharedSecret), ("gdprApiKey", before?.GdprApiKey, after.GdprApiKey) })
        {
            if (now is not null && now != old)
            {
                changes.Add(new(AuditActions.SecretSet, name));
            }
            else if (now is null && old is not null)
            {
                changes.Add(new(AuditActions.SecretRemoved, name));
            }
        }
        return changes;
    }
}
