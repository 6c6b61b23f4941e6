using System.Text.Json;
using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Ledger;
using ConvertroFunctions.Core.Privacy;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Workspaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Delivery;

/// <summary>
/// The queue trigger's work (docs/architecture.md, "Delivery"): for the events of one
/// <c>segment-events</c> message, map them, claim them in the event ledger, send their calls, and
/// bring each to exactly one outcome — delivered, skipped (with its reason), re-queued for a later
/// attempt, or dead-lettered (with a reason code). The decision is <see cref="DeliveryDecision"/>'s;
/// this class only performs it. Throws only when it cannot record an outcome (storage down), so the
/// host retries the message. When the host stops (<paramref name="ct"/> of <see cref="HandleAsync"/>
/// is cancelled) it starts no more events, lets calls on the wire finish, records their progress and
/// hands the rest back to the queue at once.
/// </summary>
public sealed partial class DeliveryHandler(
    WorkspaceCache workspaces,
    ConvertroClient convertro,
    EventLedger ledger,
    UserDeletion deletion,
    LinkStore links,
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
        var events = envelope.Events.Select(raw => PendingEvent.Parse(envelope, raw)).ToList();
        try
        {
            await DeliverAsync(envelope, events, settings, ct);
        }
        finally
        {
            events.ForEach(e => e.Dispose());
        }
    }

    private async Task DeliverAsync(QueueEnvelope envelope, List<PendingEvent> events, WorkspaceSettings? settings, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var unavailable = Unavailable(envelope.WorkspaceId, settings);
        var work = new List<EventPlan>(events.Count);
        foreach (var e in events)
        {
            work.Add(await PlanAsync(e, settings!, unavailable, now, ct));
        }
        var outcomes = new Outcome[work.Count];

        var session = ledger.Begin(envelope.WorkspaceId);
        try
        {
            var claims = await session.ClaimAsync([.. work.Select(w => w.Request)], ct);
            // Remembered before the users calls go out, so that a later Segment delete can erase these visitor codes in Convertro.
            await links.RecordAsync(envelope.WorkspaceId, [.. work.Zip(claims).Where(p => p.Second.Kind == ClaimKind.Owned)
                .SelectMany(p => p.First.Mapping?.Calls ?? [])
                .Where(c => c is { Endpoint: ConvertroEndpoint.Users, UserId: not null })
                .Select(c => new UserLink(c.UserId!, ConvertroWire.Sid(c.DeviceId)))], ct);
            // Calls on the wire when the host stops get this long to finish before they are abandoned.
            using var grace = new CancellationTokenSource();
            await using var onStop = ct.Register(() => grace.CancelAfter(options.Value.ShutdownGrace));
            await Parallel.ForEachAsync(
                Enumerable.Range(0, work.Count),
                new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelEvents },
                async (i, _) => outcomes[i] = await RunAsync(work[i], claims[i], session, settings, stopping: ct, calls: grace.Token));
        }
        finally
        {
            // Writes what is left and lets go of unfinished events, before they go back to the queue.
            await session.DisposeAsync();
        }
        if (outcomes.Contains(Outcome.HandedBack))
        {
            await queue.EnqueueAsync(envelope with { Events = [.. events.Where((_, i) => outcomes[i] == Outcome.HandedBack).Select(e => e.Raw)] },
                TimeSpan.Zero, CancellationToken.None);
        }
        LogSummary(envelope.WorkspaceId, outcomes);
    }

    /// <summary>
    /// What the mapping (or the workspace) says an event is before anything is sent. A Segment
    /// delete purges the user's stored data here, and becomes the erase calls, if any, to send.
    /// </summary>
    private async ValueTask<EventPlan> PlanAsync(PendingEvent e, WorkspaceSettings settings, string? unavailable, DateTimeOffset now, CancellationToken ct)
    {
        if (unavailable is not null)
        {
            var record = e.Record(EventState.DeadLettered, now, ReasonCodes.WorkspaceUnavailable, unavailable) with { DeadLetterId = DeadLetter.NewId(now) };
            return new EventPlan(e, null, new ClaimRequest(record, e.SegmentReceivedAt, e.Envelope.Retry));
        }
        var mapping = ConvertroMapper.Map(e.Element, settings, e.Envelope.ReceivedAt);
        if (mapping.DeletedUserId is { } deleted)
        {
            // A retry after a failed erase has purged already; a first delivery or a replay (attempt 0) purges.
            var erase = await deletion.PurgeAsync(settings, e.MessageId, deleted, now.ToUnixTimeSeconds(), purge: e.Envelope.Retry is not { Attempt: > 0 }, ct);
            if (erase.Count > 0)
            {
                mapping = MappingResult.Send([.. erase]) with { DeletedUserId = deleted };
            }
        }
        return mapping.Skip is { } skip
            ? new EventPlan(e, mapping, new ClaimRequest(e.Record(EventState.Skipped, now, skip.Code, skip.Message), e.SegmentReceivedAt, e.Envelope.Retry))
            : new EventPlan(e, mapping, new ClaimRequest(e.Record(EventState.Delivering, now), e.SegmentReceivedAt, e.Envelope.Retry));
    }

    private async Task<Outcome> RunAsync(
        EventPlan plan, EventClaim claim, LedgerSession session, WorkspaceSettings? settings, CancellationToken stopping, CancellationToken calls)
    {
        var e = plan.Event;
        switch (claim.Kind)
        {
            case ClaimKind.AlreadyDone:
                return Skip(e, SkipReason.AlreadyDelivered);
            case ClaimKind.Duplicate:
                return Skip(e, SkipReason.Duplicate);
            case ClaimKind.InFlight:
                await WaitForOtherCopyAsync(e, claim.RetryAfter);
                return Outcome.Waiting;
            case ClaimKind.Recorded when plan.Mapping?.Skip is { } skip:
                return Skip(e, skip);
            case ClaimKind.Recorded:
                // The letter the ledger points at: a copy of an event already dead-lettered writes the same letter again.
                var letterId = claim.Current is { State: EventState.DeadLettered, DeadLetterId: { } recorded } ? recorded : claim.Request.Record.DeadLetterId;
                await deadLetters.AddAsync(e, claim.Request.Record.Reason!, claim.Request.Record.Detail!, null,
                    claim.Request.Record.Attempts, e.KnownDelivered, CancellationToken.None, letterId);
                return Outcome.DeadLettered;
        }

        if (stopping.IsCancellationRequested)
        {
            session.Release(claim);
            return Outcome.HandedBack;
        }
        if (!await session.EnsureLeaseAsync(claim, CancellationToken.None))
        {
            // Our hold lapsed (storage was slow) and another copy took the event over: it delivers it.
            return Skip(e, SkipReason.Duplicate);
        }
        SendOutcome? failure = null;
        foreach (var call in plan.Mapping!.Value.Calls.Where(c => !claim.Delivered.Any(d => d.Key == c.Key)))
        {
            if (stopping.IsCancellationRequested)
            {
                session.Release(claim);
                return Outcome.HandedBack;
            }
            SendOutcome sent;
            try
            {
                sent = await convertro.SendAsync(call, settings!, calls);
            }
            catch (OperationCanceledException) when (calls.IsCancellationRequested)
            {
                // Stopping took longer than the grace: the call's outcome is unknown; the handed-back copy sends it again.
                session.Release(claim);
                return Outcome.HandedBack;
            }
            if (sent.Kind != OutcomeKind.Delivered)
            {
                failure = sent;
                break;
            }
            session.CallDelivered(claim, new CallRecord(call.Key, sent.Status ?? 200, time.GetUtcNow()));
        }
        if (failure is null && plan.Mapping!.Value.DeletedUserId is { } erased)
        {
            await deletion.ErasedAsync(e.Envelope.WorkspaceId, erased, CancellationToken.None);
        }
        return await ApplyAsync(e, claim, session, failure, stopping);
    }

    /// <summary>Performs <see cref="DeliveryDecision.Decide"/>'s decision for one event.</summary>
    private async Task<Outcome> ApplyAsync(PendingEvent e, EventClaim claim, LedgerSession session, SendOutcome? failure, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var ws = e.Envelope.WorkspaceId;
        var delivered = claim.Delivered.Select(c => c.Key).ToList();
        switch (DeliveryDecision.Decide(failure, claim.Current.Attempts, _schedule, now, Random.Shared.NextDouble() * 0.1))
        {
            case DeliveryDecision.Delivered:
                await session.CompleteAsync(claim, r => r with { State = EventState.Delivered }, now: false, ct);
                metrics.Delivered(ws, now - e.Envelope.ReceivedAt);
                return Outcome.Delivered;

            case DeliveryDecision.Retry retry:
                await queue.EnqueueAsync(e.Envelope.For(e.Raw, new RetryState
                {
                    Attempt = retry.Attempt,
                    Delivered = delivered,
                    FirstFailureAt = e.Envelope.Retry?.FirstFailureAt ?? now,
                    LastError = failure!.Error,
                    LastStatus = failure.Status,
                    LedgerTable = claim.TableName,
                }), retry.Delay, CancellationToken.None);
                await session.CompleteAsync(claim, r => r with
                {
                    State = EventState.Retrying, Attempts = retry.Attempt, NextAttemptAt = retry.At, Detail = failure.Error, LastStatus = failure.Status,
                }, now: true, CancellationToken.None);
                metrics.Retried(ws);
                LogRetrying(logger, e.MessageId, ws, retry.Attempt, failure.Error, retry.At);
                return Outcome.Retrying;

            case DeliveryDecision.DeadLetter dead:
                var id = await deadLetters.AddAsync(e, dead.ReasonCode, dead.Reason, failure, dead.Attempts, delivered, CancellationToken.None);
                await session.CompleteAsync(claim, r => r with
                {
                    State = EventState.DeadLettered, Attempts = dead.Attempts, Reason = dead.ReasonCode, Detail = dead.Reason,
                    LastStatus = failure?.Status, DeadLetterId = id,
                }, now: true, CancellationToken.None);
                return Outcome.DeadLettered;

            default:
                throw new InvalidOperationException("Unknown delivery decision.");
        }
    }

    /// <returns>Why the workspace cannot take events now, or null when it can.</returns>
    private string? Unavailable(string workspaceId, WorkspaceSettings? settings) => settings switch
    {
        null => $"Workspace '{workspaceId}' does not exist (deleted after the event was accepted); recreate it, then replay.",
        { Enabled: false } => $"Workspace '{workspaceId}' is disabled; enable it, then replay.",
        _ when string.IsNullOrWhiteSpace(settings.ClientName) || string.IsNullOrWhiteSpace(settings.SiteId) || string.IsNullOrWhiteSpace(settings.Domain)
            => $"Workspace '{workspaceId}' lacks clientName, siteId or domain; complete its settings, then replay.",
        _ when convertro.DomainProblem(settings) is { } domain => $"Workspace '{workspaceId}' has a domain calls may not go to: {domain} Fix its domain, then replay.",
        _ => null,
    };

    private Outcome Skip(PendingEvent e, SkipReason reason)
    {
        metrics.Skipped(e.Envelope.WorkspaceId, reason.Code);
        LogSkipped(logger, e.MessageId, e.Envelope.WorkspaceId, reason.Code);
        return Outcome.Skipped;
    }

    /// <summary>
    /// Another delivery holds this event: look again once its lease ends. Waiting is not a failed
    /// attempt, so it never uses up the retry schedule; a lease always ends, so it never waits for ever.
    /// </summary>
    private async Task WaitForOtherCopyAsync(PendingEvent e, TimeSpan leaseLeft)
    {
        var delay = leaseLeft + TimeSpan.FromMilliseconds(100 + Random.Shared.Next(100));
        await queue.EnqueueAsync(e.Envelope.For(e.Raw, e.Envelope.Retry), delay, CancellationToken.None);
        LogWaiting(logger, e.MessageId, e.Envelope.WorkspaceId, delay);
    }

    private void LogSummary(string workspaceId, Outcome[] outcomes)
    {
        int Count(Outcome outcome) => outcomes.Count(o => o == outcome);
        var (delivered, skipped) = (Count(Outcome.Delivered), Count(Outcome.Skipped));
        if (delivered + skipped < outcomes.Length)
        {
            LogMessage(logger, workspaceId, outcomes.Length, delivered, skipped, Count(Outcome.Retrying), Count(Outcome.DeadLettered),
                Count(Outcome.Waiting), Count(Outcome.HandedBack));
        }
        else
        {
            LogMessageDone(logger, workspaceId, outcomes.Length, delivered, skipped);
        }
    }

    private enum Outcome { Delivered, Skipped, Retrying, DeadLettered, Waiting, HandedBack }

    /// <summary>An event with its mapping (null when its workspace is unavailable) and what to claim.</summary>
    private sealed record EventPlan(PendingEvent Event, MappingResult? Mapping, ClaimRequest Request);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Skipped event {MessageId} of workspace {WorkspaceId}: {ReasonCode}")]
    private static partial void LogSkipped(ILogger logger, string messageId, string workspaceId, string reasonCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {MessageId} of workspace {WorkspaceId} is being delivered by another copy; looking again in {Delay}")]
    private static partial void LogWaiting(ILogger logger, string messageId, string workspaceId, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {MessageId} of workspace {WorkspaceId}: attempt {Attempt} failed ({Error}); next attempt at {NextAttemptAt:O}")]
    private static partial void LogRetrying(ILogger logger, string messageId, string workspaceId, int attempt, string error, DateTimeOffset nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workspace {WorkspaceId}: message of {Events} event(s): {Delivered} delivered, {Skipped} skipped, {Retrying} retrying, {DeadLettered} dead-lettered, {Waiting} waiting for another copy, {HandedBack} handed back")]
    private static partial void LogMessage(ILogger logger, string workspaceId, int events, int delivered, int skipped, int retrying, int deadLettered, int waiting, int handedBack);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Workspace {WorkspaceId}: message of {Events} event(s): {Delivered} delivered, {Skipped} skipped")]
    private static partial void LogMessageDone(ILogger logger, string workspaceId, int events, int delivered, int skipped);
}
