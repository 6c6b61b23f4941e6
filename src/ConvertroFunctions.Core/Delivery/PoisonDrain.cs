using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Ledger;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Storage;
using Microsoft.Extensions.Logging;

namespace ConvertroFunctions.Core.Delivery;

/// <summary>
/// <c>segment-events-poison</c>: a message the host gave up on after maxDequeueCount failed runs.
/// Its events go through the owner rule like any other copy (docs/architecture.md, "Delivery"): an
/// event delivered or skipped meanwhile gets no dead letter, one a queued retry owns keeps its owner,
/// and only an event with no outcome is dead-lettered, with every call its record says was
/// delivered. An event another copy holds right now is looked at again once its lease ends. The host
/// never moves a message of the poison queue anywhere else, so nothing may escape from here: what
/// cannot be read is dead-lettered whole as unreadable; only a storage outage escapes (the host
/// retries the message until storage is back).
/// </summary>
public sealed partial class PoisonDrain(EventLedger ledger, DeadLetterWriter deadLetters, EventQueue queue, TimeProvider time, ILogger<PoisonDrain> logger)
{
    public const string Reason = "Processing failed maxDequeueCount times (host.json) with an unexpected error (see the logs for the message); " +
        "the message was moved to the poison queue.";

    public async Task HandleAsync(BinaryData body, CancellationToken ct)
    {
        List<PendingEvent> events = [];
        try
        {
            var envelope = QueueMessagePacker.Deserialize(body);
            TableKeys.Checked(envelope.WorkspaceId, "workspace id");
            events = [.. envelope.Events.Select(raw => PendingEvent.Parse(envelope, raw))];
            await DrainAsync(events, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && !StorageErrors.IsUnavailable(ex))
        {
            await deadLetters.UnreadableAsync(body, ex.Message, ct);
        }
        finally
        {
            events.ForEach(e => e.Dispose());
        }
    }

    private async Task DrainAsync(List<PendingEvent> events, CancellationToken ct)
    {
        if (events.Count == 0)
        {
            return;
        }
        var now = time.GetUtcNow();
        var session = ledger.Begin(events[0].Envelope.WorkspaceId);
        IReadOnlyList<EventClaim> claims = [];
        try
        {
            claims = await session.ClaimAsync([.. events.Select(e => e.Claim(EventState.Delivering, now, CopyPath.PoisonDrain))], ct);
            foreach (var (e, claim) in events.Zip(claims))
            {
                switch (claim.Kind)
                {
                    case ClaimKind.Owned:
                        var current = session.Current(claim);
                        var attempts = Math.Max(current.Attempts, e.Envelope.Retry?.Attempt ?? 0);
                        var id = await deadLetters.AddAsync(e, ReasonCodes.PoisonMessage, Reason, null, attempts,
                            [.. current.Calls.Select(c => c.Key)], ct, current.DeadLetterId);
                        await session.CompleteAsync(claim, r => r with
                        {
                            State = EventState.DeadLettered, Reason = ReasonCodes.PoisonMessage, Detail = Reason, DeadLetterId = id,
                        }, awaitWrite: true, ct);
                        break;
                    case ClaimKind.InFlight:
                        // Another copy is on it: look again when its lease ends (from the poison queue: still a drain).
                        await queue.EnqueuePoisonAsync(e.Envelope.For(e.Raw, e.Envelope.Retry), claim.RetryAfter + TimeSpan.FromSeconds(1), ct);
                        break;
                    default:
                        LogNoLetter(logger, e.MessageId, e.Envelope.WorkspaceId, claim.Kind);
                        break;
                }
            }
        }
        finally
        {
            if ((await session.CloseAsync(claims)).Count > 0)
            {
                // The dead letter is written, its record is not: the host retries the message, and the same letter is written again.
                throw new TimeoutException("Table storage did not take the dead-lettered events' records; the poison message is tried again.");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Poison queue: event {MessageId} of workspace {WorkspaceId} needs no dead letter ({Kind}: delivered, skipped or dead-lettered by another copy, or a queued retry owns it)")]
    private static partial void LogNoLetter(ILogger logger, string messageId, string workspaceId, ClaimKind kind);
}
