using System.Text.Json;
using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Idempotency;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Workspaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Delivery;

/// <summary>
/// The queue trigger's work (ARCHITECTURE.md §7): for each event of a <c>segment-events</c> message,
/// map it and send its calls; every event ends delivered, skipped (counted, logged), re-enqueued
/// for a later attempt, or dead-lettered. Throws only when it cannot record an outcome (storage
/// down), so the host retries the message and, after maxDequeueCount, moves it to the poison queue.
/// </summary>
public sealed partial class DeliveryHandler(
    WorkspaceCache workspaces,
    ConvertroClient convertro,
    DeliveryLedger ledger,
    EventQueue queue,
    DeadLetterWriter deadLetters,
    DeliveryMetrics metrics,
    TimeProvider time,
    IOptions<DeliveryOptions> options,
    ILogger<DeliveryHandler> logger)
{
    private readonly IReadOnlyList<TimeSpan> _schedule = options.Value.RetrySchedule;

    public async Task HandleAsync(BinaryData body, CancellationToken ct)
    {
        QueueEnvelope envelope;
        try
        {
            envelope = QueueMessagePacker.Deserialize(body);
        }
        catch (JsonException ex)
        {
            await deadLetters.UnreadableAsync(body, ex.Message, ct);
            return;
        }

        var settings = await workspaces.GetAsync(envelope.WorkspaceId, ct);
        await Parallel.ForEachAsync(
            envelope.Events,
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelEvents, CancellationToken = ct },
            async (raw, token) => await DeliverAsync(envelope, raw, settings, token));
    }

    private async Task DeliverAsync(QueueEnvelope envelope, RawJson raw, WorkspaceSettings? settings, CancellationToken ct)
    {
        using var document = JsonDocument.Parse(raw.Utf8);
        var e = document.RootElement;
        var failure = new FailureContext(envelope, raw, EventSummary.Of(e), envelope.Retry?.Delivered ?? []);
        if (settings is null || !settings.Enabled)
        {
            var why = settings is null
                ? $"Workspace '{envelope.WorkspaceId}' does not exist (deleted after the event was accepted)."
                : $"Workspace '{envelope.WorkspaceId}' is disabled; replay once it is enabled again.";
            await deadLetters.AddAsync(failure, new SendOutcome(OutcomeKind.Permanent, null, why), envelope.Retry?.Attempt ?? 0, ct);
            return;
        }

        var mapping = ConvertroMapper.Map(e, settings, envelope.ReceivedAt);
        if (mapping.Skip is { } skip)
        {
            Skip(failure, skip);
            return;
        }

        var claim = await ledger.ClaimAsync(envelope.WorkspaceId, failure.Summary.MessageId, failure.Delivered,
            [.. mapping.Calls.Select(c => c.Key)], ct);
        switch (claim.Kind)
        {
            case ClaimKind.AlreadyDelivered:
                Skip(failure, SkipReason.AlreadyDelivered);
                return;
            case ClaimKind.InFlight:
                await WaitForOtherCopyAsync(failure with { Delivered = [.. claim.Delivered] }, claim.RetryAfter, ct);
                return;
        }

        var remaining = mapping.Calls.Where(c => !claim.Delivered.Contains(c.Key)).ToList();
        foreach (var call in remaining)
        {
            var outcome = await convertro.SendAsync(call, settings, failure.Summary.MessageId, ct);
            if (outcome.Kind != OutcomeKind.Delivered)
            {
                await ledger.ReleaseAsync(claim, ct);
                await FailAsync(failure with { Delivered = [.. claim.Delivered] }, outcome, ct);
                return;
            }
            await ledger.MarkDeliveredAsync(claim, call.Key, complete: call == remaining[^1], ct);
        }
        metrics.Delivered(envelope.WorkspaceId, time.GetUtcNow() - envelope.ReceivedAt);
    }

    private void Skip(FailureContext failure, SkipReason reason)
    {
        metrics.Skipped(failure.Envelope.WorkspaceId, reason.Code);
        LogSkipped(logger, failure.Summary.MessageId, failure.Envelope.WorkspaceId, reason.Code, reason.Message);
    }

    /// <summary>A transient failure is retried on the schedule; anything else, or the last attempt, is dead-lettered.</summary>
    private async Task FailAsync(FailureContext failure, SendOutcome outcome, CancellationToken ct)
    {
        var retry = failure.Envelope.Retry;
        var attempt = (retry?.Attempt ?? 0) + 1;
        if (outcome.Kind == OutcomeKind.Transient && attempt <= _schedule.Count)
        {
            var delay = Jitter(_schedule[attempt - 1]);
            if (outcome.RetryAfter is { } retryAfter && retryAfter > delay)
            {
                delay = retryAfter;
            }
            await queue.EnqueueAsync(failure.Envelope with
            {
                Events = [failure.Raw],
                Retry = new RetryState
                {
                    Attempt = attempt,
                    Delivered = failure.Delivered,
                    FirstFailureAt = retry?.FirstFailureAt ?? time.GetUtcNow(),
                    LastError = outcome.Error,
                    LastStatus = outcome.Status,
                },
            }, delay, ct);
            metrics.Retried(failure.Envelope.WorkspaceId);
            LogRetrying(logger, failure.Summary.MessageId, failure.Envelope.WorkspaceId, attempt, delay, outcome.Error);
            return;
        }
        var final = outcome.Kind == OutcomeKind.Transient
            ? outcome with { Error = $"Gave up after {attempt} attempts: {outcome.Error}" }
            : outcome;
        await deadLetters.AddAsync(failure, final, attempt, ct);
    }

    /// <summary>
    /// Another copy of this messageId holds its claim: look again once that lease ends. Waiting is
    /// not a failed attempt, so it never uses up the retry schedule; a lease always ends, so it
    /// never waits for ever.
    /// </summary>
    private async Task WaitForOtherCopyAsync(FailureContext waiting, TimeSpan leaseLeft, CancellationToken ct)
    {
        var delay = Jitter(leaseLeft + TimeSpan.FromMilliseconds(100));
        await queue.EnqueueAsync(waiting.Envelope with
        {
            Events = [waiting.Raw],
            Retry = (waiting.Envelope.Retry ?? new RetryState()) with { Delivered = waiting.Delivered },
        }, delay, ct);
        LogWaiting(logger, waiting.Summary.MessageId, waiting.Envelope.WorkspaceId, delay);
    }

    /// <summary>Up to 10% extra, so events that failed together do not all return together.</summary>
    private static TimeSpan Jitter(TimeSpan delay) => delay + delay * (Random.Shared.NextDouble() * 0.1);

    [LoggerMessage(Level = LogLevel.Information, Message = "Skipped event {MessageId} of workspace {WorkspaceId}: {ReasonCode} ({Reason})")]
    private static partial void LogSkipped(ILogger logger, string? messageId, string workspaceId, string reasonCode, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {MessageId} of workspace {WorkspaceId} is being delivered by another copy; looking again in {Delay}")]
    private static partial void LogWaiting(ILogger logger, string? messageId, string workspaceId, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {MessageId} of workspace {WorkspaceId} failed attempt {Attempt}; retrying in {Delay}: {Error}")]
    private static partial void LogRetrying(ILogger logger, string? messageId, string workspaceId, int attempt, TimeSpan delay, string error);
}
