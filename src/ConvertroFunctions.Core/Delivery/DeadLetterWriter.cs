using System.Text.Json;
using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Queueing;
using Microsoft.Extensions.Logging;

namespace ConvertroFunctions.Core.Delivery;

/// <summary>
/// Builds and stores dead letters, from failed deliveries, from the poison queue, and from
/// messages that cannot be read at all. Logged loudly: a dead letter needs a person.
/// </summary>
public sealed partial class DeadLetterWriter(
    DeadLetterStore store, DeliveryMetrics metrics, TimeProvider time, ILogger<DeadLetterWriter> logger)
{
    /// <summary>Partition for messages whose workspace cannot be read from them.</summary>
    public const string UnreadablePartition = "_unreadable";

    private const int MaxStoredBytes = 60_000;

    /// <param name="attempts">Calls to Convertro made for this event so far, this one included.</param>
    public async Task AddAsync(FailureContext failure, SendOutcome outcome, int attempts, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var retry = failure.Envelope.Retry;
        await store.AddAsync(new DeadLetter
        {
            Id = DeadLetter.NewId(now),
            WorkspaceId = failure.Envelope.WorkspaceId,
            MessageId = failure.Summary.MessageId,
            EventType = failure.Summary.Type,
            EventName = failure.Summary.Name,
            Reason = outcome.Error,
            LastStatus = outcome.Status ?? retry?.LastStatus,
            ResponseExcerpt = outcome.ResponseExcerpt,
            Attempts = attempts,
            FirstFailureAt = retry?.FirstFailureAt ?? now,
            LastFailureAt = now,
            ReceivedAt = failure.Envelope.ReceivedAt,
            Event = failure.Raw.Utf8,
            DeliveredCalls = failure.Delivered,
        }, ct);
        metrics.DeadLettered(failure.Envelope.WorkspaceId);
        LogDeadLettered(logger, failure.Summary.MessageId, failure.Envelope.WorkspaceId, outcome.Error);
    }

    /// <summary>Every event of a message the host gave up on after maxDequeueCount failed runs.</summary>
    public async Task PoisonAsync(BinaryData body, CancellationToken ct)
    {
        QueueEnvelope envelope;
        try
        {
            envelope = QueueMessagePacker.Deserialize(body);
        }
        catch (JsonException ex)
        {
            await UnreadableAsync(body, ex.Message, ct);
            return;
        }
        var reason = new SendOutcome(OutcomeKind.Permanent, null,
            "Processing failed maxDequeueCount times (host.json) with an unexpected error (see the logs); " +
            "the message was moved to the poison queue.");
        foreach (var raw in envelope.Events)
        {
            using var document = JsonDocument.Parse(raw.Utf8);
            var summary = EventSummary.Of(document.RootElement);
            await AddAsync(new FailureContext(envelope, raw, summary, envelope.Retry?.Delivered ?? []), reason, envelope.Retry?.Attempt ?? 0, ct);
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
            Reason = $"The queue message could not be read: {error}",
            FirstFailureAt = now,
            LastFailureAt = now,
            Event = bytes.Length <= MaxStoredBytes ? bytes : bytes[..MaxStoredBytes],
        }, ct);
        LogDeadLettered(logger, null, UnreadablePartition, error);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Dead-lettered event {MessageId} of workspace {WorkspaceId}: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string? messageId, string workspaceId, string reason);
}
