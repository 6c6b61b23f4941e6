using System.Text.Json;
using Azure.Data.Tables;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Storage;

namespace ConvertroFunctions.Core.Ledger;

/// <summary>An <see cref="EventRecord"/> as a Table entity, and back.</summary>
internal static class EventRecordEntity
{
    /// <param name="run">The writing session's id, and <paramref name="seq"/> its write counter: how a write whose answer was lost is recognised.</param>
    public static TableEntity ToEntity(EventRecord r, string partitionKey, string run, int seq)
    {
        // Only the properties that have a value (a replace removes the others): every property costs
        // serializing, sending and parsing, twice per event (docs/performance.md, "What profiling found").
        var entity = new TableEntity(partitionKey, LedgerKeys.RowKeyFor(r.MessageId));
        void Set(string name, object? value)
        {
            if (value is not null)
            {
                entity[name] = value;
            }
        }
        Set("MessageId", r.MessageId);
        Set("State", r.State.ToString());
        Set("Owner", r.Owner);
        Set("Run", run);
        Set("Seq", seq);
        Set("LeaseUntil", r.LeaseUntil);
        Set("Attempts", r.Attempts == 0 ? null : r.Attempts);
        Set("NextAttemptAt", r.NextAttemptAt);
        Set("Reason", r.Reason);
        Set("Detail", r.Detail is { Length: > 1000 } detail ? detail[..1000] + "…" : r.Detail);
        Set("LastStatus", r.LastStatus);
        Set("DeadLetterId", r.DeadLetterId);
        Set("EventType", r.EventType);
        Set("EventName", r.EventName is { Length: > 256 } name ? name[..256] : r.EventName);
        Set("ReceivedAt", r.ReceivedAt);
        Set("UpdatedAt", r.UpdatedAt);
        if (r.Calls.Count > 0)
        {
            // A deletion erases one visitor code per call: hundreds of calls outgrow one string property.
            LongStrings.Write(entity, "Calls", JsonSerializer.Serialize(r.Calls.Select(c => new StoredCall(c.Key, c.Status, c.At)).ToArray(), CoreJsonContext.Default.StoredCallArray));
        }
        return entity;
    }

    public static EventRecord FromEntity(TableEntity e, string workspaceId) => new()
    {
        WorkspaceId = workspaceId,
        MessageId = e.GetString("MessageId") ?? Uri.UnescapeDataString(e.RowKey),
        State = Enum.TryParse<EventState>(e.GetString("State"), out var state) ? state : EventState.Delivering,
        Owner = e.GetString("Owner"),
        Calls = LongStrings.Read(e, "Calls") is { Length: > 0 } json
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

    /// <summary>Whether the stored entity is the one a session wrote with this run id and write counter.</summary>
    public static bool WrittenBy(TableEntity e, string run, int seq) => WrittenBy(e, run) && e.GetInt32("Seq") == seq;

    /// <summary>Whether the stored entity was last written by the session with this run id (any of its writes).</summary>
    public static bool WrittenBy(TableEntity e, string run) => e.GetString("Run") == run;
}

/// <summary>A delivered call as stored: short names, since every event record holds a few.</summary>
internal sealed record StoredCall(string K, int S, DateTimeOffset At);
