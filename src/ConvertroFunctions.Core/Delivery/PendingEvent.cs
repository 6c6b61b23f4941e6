using System.Text.Json;
using ConvertroFunctions.Core.Ledger;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Segment;

namespace ConvertroFunctions.Core.Delivery;

/// <summary>One event of a queue message on its way through delivery: parsed once, disposed with the message.</summary>
public sealed class PendingEvent : IDisposable
{
    private PendingEvent(QueueEnvelope envelope, RawJson raw, JsonDocument document)
    {
        Envelope = envelope;
        Raw = raw;
        Document = document;
        Summary = EventSummary.Of(document.RootElement);
    }

    public QueueEnvelope Envelope { get; }

    public RawJson Raw { get; }

    public JsonDocument Document { get; }

    public JsonElement Element => Document.RootElement;

    public EventSummary Summary { get; }

    public string MessageId => Summary.MessageId ?? string.Empty;

    /// <summary>The event's userId (personal data: for the purge index only, never logged).</summary>
    public string? UserId =>
        Element.ValueKind == JsonValueKind.Object && Element.TryGetProperty("userId"u8, out var value) ? SegmentFields.AsIdentifier(value) : null;

    /// <summary>Calls an earlier attempt delivered, as its retry state says (the ledger may know more).</summary>
    public IReadOnlyList<string> KnownDelivered => Envelope.Retry?.Delivered ?? [];

    public static PendingEvent Parse(QueueEnvelope envelope, RawJson raw) => new(envelope, raw, JsonDocument.Parse(raw.Utf8));

    /// <summary>The day whose ledger table holds the event's record (<see cref="LedgerKeys.DayFor"/>): the same for every copy.</summary>
    public DateOnly LedgerDay => DayOf(Element, Envelope.ReceivedAt);

    /// <summary>The ledger day of a raw event accepted at <paramref name="ingestReceivedAt"/>, from Segment's receivedAt when it has one.</summary>
    public static DateOnly DayOf(JsonElement e, DateTimeOffset ingestReceivedAt) => LedgerKeys.DayFor(
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("receivedAt"u8, out var value) && SegmentFields.TryGetTimestamp(value, out var at) ? at : null,
        ingestReceivedAt);

    /// <summary>This copy, as the ledger's owner rule sees it.</summary>
    public ClaimCopy Copy(CopyPath path = CopyPath.Delivery) => new(Envelope.Id, Envelope.Retry?.Attempt, path);

    /// <summary>What this copy asks of the ledger: to own the event, starting <paramref name="state"/>.</summary>
    public ClaimRequest Claim(EventState state, DateTimeOffset now, CopyPath path = CopyPath.Delivery, string? reason = null, string? detail = null) =>
        new(Record(state, now, reason, detail), LedgerDay, Copy(path));

    /// <summary>The ledger record this delivery starts the event with.</summary>
    public EventRecord Record(EventState state, DateTimeOffset now, string? reason = null, string? detail = null) => new()
    {
        WorkspaceId = Envelope.WorkspaceId,
        MessageId = MessageId,
        State = state,
        Calls = [.. KnownDelivered.Select(key => new CallRecord(key, 0, now))],
        Attempts = Envelope.Retry?.Attempt ?? 0,
        Reason = reason,
        Detail = detail,
        EventType = Summary.Type,
        EventName = Summary.Name,
        ReceivedAt = Envelope.ReceivedAt,
        UpdatedAt = now,
    };

    public void Dispose() => Document.Dispose();
}
