using System.Text.Json;
using Azure.Data.Tables;
using ConvertroFunctions.Core.Queueing;

namespace ConvertroFunctions.Core.Ledger;

/// <summary>An <see cref="EventRecord"/> as a Table entity, and back.</summary>
internal static class EventRecordEntity
{
    public static TableEntity ToEntity(EventRecord r, string partitionKey) => new(partitionKey, LedgerKeys.RowKeyFor(r.MessageId))
    {
        ["MessageId"] = r.MessageId,
        ["State"] = r.State.ToString(),
        ["Calls"] = JsonSerializer.Serialize(r.Calls.Select(c => new StoredCall(c.Key, c.Status, c.At)).ToArray(), CoreJsonContext.Default.StoredCallArray),
        ["LeaseUntil"] = r.LeaseUntil,
        ["Attempts"] = r.Attempts,
        ["NextAttemptAt"] = r.NextAttemptAt,
        ["Reason"] = r.Reason,
        ["Detail"] = r.Detail is { Length: > 1000 } detail ? detail[..1000] + "…" : r.Detail,
        ["LastStatus"] = r.LastStatus,
        ["DeadLetterId"] = r.DeadLetterId,
        ["EventType"] = r.EventType,
        ["EventName"] = r.EventName is { Length: > 256 } name ? name[..256] : r.EventName,
        ["ReceivedAt"] = r.ReceivedAt,
        ["UpdatedAt"] = r.UpdatedAt,
    };

    public static EventRecord FromEntity(TableEntity e, string workspaceId) => new()
    {
        WorkspaceId = workspaceId,
        MessageId = e.GetString("MessageId") ?? Uri.UnescapeDataString(e.RowKey),
        State = Enum.TryParse<EventState>(e.GetString("State"), out var state) ? state : EventState.Delivering,
        Calls = e.GetString("Calls") is { Length: > 0 } json
            ? [.. (JsonSerializer.Deserialize(json, CoreJsonContext.Default.StoredCallArray) ?? []).Select(c => new CallRecord(c.K, c.S, c.At))]
            : [],
        LeaseUntil = e.GetDateTimeOffset("LeaseUntil"),
        Attempts = e.GetInt32("Attempts") ?? 0,
        NextAttemptAt = e.GetDateTimeOffset("NextAttemptAt"),
        Reason = e.GetString("Reason"),
        Detail = e.GetString("Detail"),
        LastStatus = e.GetInt32("LastStatus"),
        DeadLetterId = e.GetString("DeadLetterId"),
        EventType = e.GetString("EventType"),
        EventName = e.GetString("EventName"),
        ReceivedAt = e.GetDateTimeOffset("ReceivedAt") ?? default,
        UpdatedAt = e.GetDateTimeOffset("UpdatedAt") ?? default,
    };
}

/// <summary>A delivered call as stored: short names, since every event record holds a few.</summary>
internal sealed record StoredCall(string K, int S, DateTimeOffset At);
