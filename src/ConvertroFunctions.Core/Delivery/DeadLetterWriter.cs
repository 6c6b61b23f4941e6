using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Privacy;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Storage;
using Microsoft.Extensions.Logging;

namespace ConvertroFunctions.Core.Delivery;

/// <summary>
/// Builds and stores dead letters, from failed deliveries, from the poison queue
/// (<see cref="PoisonDrain"/>), and from messages that cannot be read at all, and removes the letter of
/// an event delivered after all. Logged loudly: a dead letter needs a person.
/// </summary>
public sealed partial class DeadLetterWriter(
    DeadLetterStore store, UserKeys keys, DeliveryMetrics metrics, TimeProvider time, ILogger<DeadLetterWriter> logger)
{
    /// <summary>Partition for messages whose workspace cannot be read from them.</summary>
    public const string UnreadablePartition = "_unreadable";

    private const int MaxStoredBytes = 60_000;

    /// <param name="id">The dead letter's id when the ledger record already names it (<see cref="DeadLetter.NewId"/>).</param>
    /// <param name="attempts">Delivery attempts made for this event, this one included.</param>
    public async Task<string> AddAsync(PendingEvent e, string reasonCode, string reason, SendOutcome? outcome, int attempts,
        IReadOnlyList<string> delivered, CancellationToken ct, string? id = null)
    {
        var now = time.GetUtcNow();
        var retry = e.Envelope.Retry;
        var letter = new DeadLetter
        {
            Id = id ?? DeadLetter.NewId(now),
            WorkspaceId = e.Envelope.WorkspaceId,
            MessageId = e.Summary.MessageId,
            EventType = e.Summary.Type,
            EventName = e.Summary.Name,
            ReasonCode = reasonCode,
            Reason = reason,
            LastStatus = outcome?.Status ?? retry?.LastStatus,
            ResponseExcerpt = outcome?.ResponseExcerpt,
            Attempts = attempts,
            FirstFailureAt = retry?.FirstFailureAt ?? now,
            LastFailureAt = now,
            ReceivedAt = e.Envelope.ReceivedAt,
            Event = e.Raw.Utf8,
            DeliveredCalls = delivered,
            UserKey = e.UserId is { } userId ? await keys.KeyOfAsync(e.Envelope.WorkspaceId, userId, ct) : null,
        };
        await store.AddAsync(letter, ct);
        metrics.DeadLettered(letter.WorkspaceId, reasonCode);
        LogDeadLettered(logger, letter.MessageId, letter.WorkspaceId, reasonCode, reason);
        return letter.Id;
    }

    /// <summary>
    /// The event was delivered (or skipped) after all, by a copy that took it over (a Segment re-send,
    /// a replay): its dead letter, if one was written, goes, with its index row.
    /// </summary>
    public async Task ResolveAsync(PendingEvent e, string letterId, CancellationToken ct)
    {
        var userKey = e.UserId is { } userId ? await keys.KeyOfAsync(e.Envelope.WorkspaceId, userId, ct) : null;
        if (await store.DeleteAsync(e.Envelope.WorkspaceId, letterId, userKey, ct))
        {
            LogResolved(logger, e.MessageId, e.Envelope.WorkspaceId);
        }
    }

    /// <summary>A message that is not an envelope this app wrote: kept whole, for a person to look at.</summary>
    public async Task UnreadableAsync(BinaryData body, string error, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var bytes = body.ToMemory();
        await store.AddAsync(new DeadLetter
        {
            Id = DeadLetter.NewId(now),
            WorkspaceId = UnreadablePartition,
            ReasonCode = ReasonCodes.UnreadableMessage,
            Reason = $"The queue message could not be read: {error}",
            FirstFailureAt = now,
            LastFailureAt = now,
            Event = bytes.Length <= MaxStoredBytes ? bytes : bytes[..MaxStoredBytes],
        }, ct);
        metrics.DeadLettered(UnreadablePartition, ReasonCodes.UnreadableMessage);
        LogDeadLettered(logger, null, UnreadablePartition, ReasonCodes.UnreadableMessage, error);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {MessageId} of workspace {WorkspaceId} was delivered after all: its dead letter is removed")]
    private static partial void LogResolved(ILogger logger, string messageId, string workspaceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dead-lettered event {MessageId} of workspace {WorkspaceId} ({ReasonCode}): {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string? messageId, string workspaceId, string reasonCode, string reason);
}
