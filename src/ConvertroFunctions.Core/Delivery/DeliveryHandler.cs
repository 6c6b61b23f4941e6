using System.Text.Json;
using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Ledger;
using ConvertroFunctions.Core.Privacy;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.Core.Workspaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Delivery;

/// <summary>
/// The queue trigger's work (docs/architecture.md, "Delivery"): for the events of one
/// <c>segment-events</c> message, map them, claim them in the event ledger (the owner rule), send
/// the calls of the events this copy owns, and bring each to exactly one outcome — delivered,
/// skipped (with its reason), re-queued for a later attempt, or dead-lettered (with a reason code).
/// The decision is <see cref="DeliveryDecision"/>'s; this class only performs it. Two things are
/// waits, not failures: when the host stops (<c>ct</c> cancelled) it starts no more calls, lets
/// calls on the wire finish and hands the rest back at once; when Table storage is unavailable it
/// hands the events it could not record back with a growing delay, carrying what they delivered.
/// When the queue refuses that hand-back too, it holds the message and tries again; it throws only
/// when the hold runs out (or on something unexpected), so the host retries.
/// </summary>
public sealed partial class DeliveryHandler(
    WorkspaceCache workspaces,
    ConvertroClient convertro,
    EventLedger ledger,
    DeliveryPrivacy privacy,
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
        var events = envelope.Events.Select(raw => PendingEvent.Parse(envelope, raw)).ToList();
        try
        {
            await DeliverAsync(envelope, events, ct);
        }
        finally
        {
            events.ForEach(e => e.Dispose());
        }
    }

    private async Task DeliverAsync(QueueEnvelope envelope, List<PendingEvent> events, CancellationToken ct)
    {
        var work = new Work[events.Count];
        WorkspaceSettings? settings;
        try
        {
            settings = await workspaces.GetAsync(envelope.WorkspaceId, ct);
        }
        catch (Exception ex) when (StorageErrors.IsUnavailable(ex) && !ct.IsCancellationRequested)
        {
            // Nothing claimed yet: the whole message waits, as it is.
            await WaitForStorageAsync(envelope, events, ex);
            return;
        }
        var now = time.GetUtcNow();
        var unavailable = Unavailable(envelope.WorkspaceId, settings);
        for (var i = 0; i < events.Count; i++)
        {
            work[i] = Plan(events[i], settings!, unavailable, now);
        }

        var session = ledger.Begin(envelope.WorkspaceId);
        IReadOnlyList<EventClaim> claims = [];
        Exception? storageDown = null;
        try
        {
            claims = await session.ClaimAsync([.. work.Select(w => w.Request)], ct);
            for (var i = 0; i < work.Length; i++)
            {
                work[i].Claim = claims[i];
            }
            await PrepareOwnedAsync(envelope, work, settings, now, ct);
            // Calls on the wire when the host stops get this long to finish before they are abandoned.
            using var grace = new CancellationTokenSource();
            await using var onStop = ct.Register(() => grace.CancelAfter(options.Value.ShutdownGrace));
            await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelEvents },
                async (w, _) => w.Outcome = await RunAsync(w, session, settings, stopping: ct, calls: grace.Token));
        }
        catch (Exception ex) when (StorageErrors.IsUnavailable(ex) && !ct.IsCancellationRequested)
        {
            storageDown = ex;
            foreach (var w in work.Where(w => w.Outcome == Outcome.None))
            {
                w.Outcome = Outcome.StorageWait;
            }
        }
        finally
        {
            // Writes what is left and lets go of unfinished events, before they go back to the queue.
            foreach (var unwritten in await session.CloseAsync(claims))
            {
                var w = work.First(x => ReferenceEquals(x.Claim, unwritten));
                if (w.Outcome is Outcome.Delivered or Outcome.Skipped or Outcome.DeadLettered)
                {
                    // Its outcome is not recorded: another copy must finish it, knowing what was delivered.
                    w.Outcome = Outcome.StorageWait;
                    storageDown ??= new TimeoutException("Table storage did not take the event's outcome.");
                }
            }
        }
        await SettleAsync(envelope, work, session);
        await HandBackAsync(envelope, work, session, storageDown);
        LogSummary(envelope.WorkspaceId, work);
    }

    /// <summary>What the mapping (or the workspace) says an event is, before the ledger is asked. No I/O.</summary>
    private static Work Plan(PendingEvent e, WorkspaceSettings settings, string? unavailable, DateTimeOffset now)
    {
        if (unavailable is not null)
        {
            // Owned first, then dead-lettered like any other failure (the letter before the record).
            return new Work(e, null, e.Claim(EventState.Delivering, now), unavailable);
        }
        var mapping = ConvertroMapper.Map(e.Element, settings, e.Envelope.ReceivedAt);
        // A skip is final as claimed; a Segment delete's outcome depends on what its owner purges and erases.
        return mapping.Skip is { } skip && mapping.DeletedUserId is null
            ? new Work(e, mapping, e.Claim(EventState.Skipped, now, reason: skip.Code, detail: skip.Message))
            : new Work(e, mapping, e.Claim(EventState.Delivering, now));
    }

    /// <summary>The privacy step for the events this copy owns: links remembered before users calls go out; deletions purged and turned into their erases.</summary>
    private async Task PrepareOwnedAsync(QueueEnvelope envelope, Work[] work, WorkspaceSettings? settings, DateTimeOffset now, CancellationToken ct)
    {
        var owned = work.Where(w => w.Claim!.Kind == ClaimKind.Owned && w.Mapping is not null && w.Request.Record.State == EventState.Delivering).ToList();
        await privacy.RecordLinksAsync(envelope.WorkspaceId, owned.Select(w => w.Mapping!.Value), ct);
        foreach (var w in owned.Where(w => w.Mapping!.Value.DeletedUserId is not null))
        {
            // A first delivery or a replay (attempt 0) purges; a retry after a failed erase has purged already.
            (w.Mapping, w.Erasure) = await privacy.DeleteAsync(settings!, w.Event.MessageId, w.Mapping!.Value, now, firstAttempt: w.Event.Envelope.Retry is not { Attempt: > 0 }, ct);
        }
    }

    private async Task<Outcome> RunAsync(Work w, LedgerSession session, WorkspaceSettings? settings, CancellationToken stopping, CancellationToken calls)
    {
        var (e, claim) = (w.Event, w.Claim!);
        switch (claim.Kind)
        {
            case ClaimKind.AlreadyDone:
                return Skip(w, SkipReason.AlreadyDelivered);
            case ClaimKind.Duplicate:
                return Skip(w, SkipReason.Duplicate);
            case ClaimKind.InFlight:
                await WaitForOtherCopyAsync(e, claim.RetryAfter);
                return Outcome.Waiting;
        }
        try
        {
            if (w.Request.Record.State == EventState.Skipped)
            {
                return Outcome.Skipped; // recorded with the claim
            }
            if (w.Unavailable is { } why)
            {
                return await DeadLetterAsync(w, session, new DeliveryDecision.DeadLetter(ReasonCodes.WorkspaceUnavailable, why, claim.Record.Attempts), null);
            }
            if (w.Mapping!.Value.Skip is { } skip)
            {
                // A deletion with nothing to erase in Convertro.
                return await session.CompleteAsync(claim, r => r with { State = EventState.Skipped, Reason = skip.Code, Detail = skip.Message }, awaitWrite: false, CancellationToken.None) == WriteResult.Lost
                    ? Skip(w, SkipReason.Duplicate) : Outcome.Skipped;
            }
            return await SendAsync(w, session, settings!, stopping, calls);
        }
        catch (Exception ex) when (StorageErrors.IsUnavailable(ex) && !stopping.IsCancellationRequested)
        {
            w.StorageError = ex;
            session.Release(claim);
            return Outcome.StorageWait;
        }
    }

    /// <summary>An owned event's calls, in order, skipping those already delivered; each only while this copy still holds the event.</summary>
    private async Task<Outcome> SendAsync(Work w, LedgerSession session, WorkspaceSettings settings, CancellationToken stopping, CancellationToken calls)
    {
        var claim = w.Claim!;
        SendOutcome? failure = null;
        foreach (var call in w.Mapping!.Value.Calls.Where(c => !claim.Delivered.Any(d => d.Key == c.Key)))
        {
            if (stopping.IsCancellationRequested)
            {
                session.Release(claim);
                return Outcome.HandedBack;
            }
            switch (await session.CheckLeaseAsync(claim, CancellationToken.None))
            {
                case LeaseCheck.Lost:
                    // Our hold lapsed (storage was slow) and another copy took the event over: it delivers it.
                    return Skip(w, SkipReason.Duplicate);
                case LeaseCheck.Unavailable:
                    return Outcome.StorageWait;
            }
            SendOutcome sent;
            try
            {
                sent = await convertro.SendAsync(call, settings, calls);
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
        if (failure is null && w.Erasure is { } erasure)
        {
            await privacy.ErasedAsync(w.Event.Envelope.WorkspaceId, erasure, CancellationToken.None);
        }
        return DeliveryDecision.Decide(failure, claim.Record.Attempts, _schedule, time.GetUtcNow(), Random.Shared.NextDouble() * 0.1) switch
        {
            DeliveryDecision.Delivered => await session.CompleteAsync(claim, r => r with { State = EventState.Delivered }, awaitWrite: false, CancellationToken.None) == WriteResult.Lost
                ? Skip(w, SkipReason.Duplicate) : Outcome.Delivered,
            DeliveryDecision.Retry retry => await RetryAsync(w, session, retry, failure!),
            DeliveryDecision.DeadLetter dead => await DeadLetterAsync(w, session, dead, failure),
            _ => throw new InvalidOperationException("Unknown delivery decision."),
        };
    }

    /// <summary>Enqueues the retry (a new copy) first, then records it as the event's next owner: a crash in between never loses the event.</summary>
    private async Task<Outcome> RetryAsync(Work w, LedgerSession session, DeliveryDecision.Retry retry, SendOutcome failure)
    {
        var (e, claim) = (w.Event, w.Claim!);
        var ws = e.Envelope.WorkspaceId;
        var successor = e.Envelope.For(e.Raw, new RetryState
        {
            Attempt = retry.Attempt,
            Delivered = [.. session.Current(claim).Calls.Select(c => c.Key)],
            FirstFailureAt = e.Envelope.Retry?.FirstFailureAt ?? time.GetUtcNow(),
            LastError = failure.Error,
            LastStatus = failure.Status,
        }, newCopy: true);
        await queue.EnqueueAsync(successor, retry.Delay, CancellationToken.None);
        // Written now: the retry looks for it. Lost or unwritten, the retry still decides by the record it finds.
        await session.CompleteAsync(claim, r => r with
        {
            State = EventState.Retrying, Owner = successor.Id, Attempts = retry.Attempt, NextAttemptAt = retry.At, Detail = failure.Error, LastStatus = failure.Status,
        }, awaitWrite: true, CancellationToken.None);
        metrics.Retried(ws);
        LogRetrying(logger, e.MessageId, ws, retry.Attempt, failure.Error, retry.At);
        return Outcome.Retrying;
    }

    /// <summary>The letter first (the id the record names, so every copy writes the same one), then the record.</summary>
    private async Task<Outcome> DeadLetterAsync(Work w, LedgerSession session, DeliveryDecision.DeadLetter dead, SendOutcome? failure)
    {
        var (e, claim) = (w.Event, w.Claim!);
        var current = session.Current(claim);
        var id = await deadLetters.AddAsync(e, dead.ReasonCode, dead.Reason, failure, dead.Attempts,
            [.. current.Calls.Select(c => c.Key)], CancellationToken.None, current.DeadLetterId);
        await session.CompleteAsync(claim, r => r with
        {
            State = EventState.DeadLettered, Attempts = dead.Attempts, Reason = dead.ReasonCode, Detail = dead.Reason, LastStatus = failure?.Status, DeadLetterId = id,
        }, awaitWrite: true, CancellationToken.None);
        return Outcome.DeadLettered;
    }

    /// <summary>
    /// After the session closed: outcomes that were recorded are counted, and an event delivered after
    /// all (a Segment re-send, a replay) loses the dead letter it had.
    /// </summary>
    private async Task SettleAsync(QueueEnvelope envelope, Work[] work, LedgerSession session)
    {
        var ws = envelope.WorkspaceId;
        foreach (var w in work)
        {
            if (w.Outcome is Outcome.Delivered or Outcome.Skipped && session.Result(w.Claim!) == WriteResult.Lost)
            {
                w.Outcome = Skip(w, SkipReason.Duplicate);
                continue;
            }
            switch (w.Outcome)
            {
                case Outcome.Delivered:
                    metrics.Delivered(ws, time.GetUtcNow() - envelope.ReceivedAt);
                    break;
                case Outcome.Skipped:
                    var reason = w.Mapping!.Value.Skip!;
                    metrics.Skipped(ws, reason.Code);
                    LogSkipped(logger, w.Event.MessageId, ws, reason.Code);
                    break;
                default:
                    continue;
            }
            if (w.Claim!.TookOver && w.Claim.Record.DeadLetterId is { } letter)
            {
                try
                {
                    await deadLetters.ResolveAsync(w.Event, letter, CancellationToken.None);
                }
                catch (Exception ex) when (StorageErrors.IsUnavailable(ex))
                {
                    LogResolveFailed(logger, ex, w.Event.MessageId, ws);
                }
            }
        }
    }

    /// <summary>
    /// Events this copy will not finish go back on the queue as the same copy: at once after a stop;
    /// after a growing wait when Table storage was unavailable (not an attempt: it never counts toward
    /// the schedule or maxDequeueCount). Each carries the calls it delivered, so none is sent again.
    /// </summary>
    private async Task HandBackAsync(QueueEnvelope envelope, Work[] work, LedgerSession session, Exception? storageDown)
    {
        var hold = NewHold();
        foreach (var (outcome, group) in new[] { Outcome.HandedBack, Outcome.StorageWait }.Select(o => (o, work.Where(w => w.Outcome == o).ToList())))
        {
            if (group.Count == 0)
            {
                continue;
            }
            var waits = outcome == Outcome.StorageWait ? envelope.Waits + 1 : envelope.Waits;
            var delay = outcome == Outcome.StorageWait
                ? DeliveryOptions.StorageWait(waits, Random.Shared.NextDouble() * 0.1, StorageErrors.RetryAfter(group.Select(w => w.StorageError).FirstOrDefault(x => x is not null) ?? storageDown!))
                : TimeSpan.Zero;
            // Events with progress of their own each in a message of their own; the rest together, as they came.
            var (progressed, plain) = (group.Where(w => Progress(w, session) is not null).ToList(), group.Where(w => Progress(w, session) is null).ToList());
            if (plain.Count > 0)
            {
                await HandBackHeldAsync(envelope with { Events = [.. plain.Select(w => w.Event.Raw)], Waits = waits }, delay, hold);
            }
            foreach (var w in progressed)
            {
                await HandBackHeldAsync(envelope.For(w.Event.Raw, Progress(w, session)) with { Waits = waits }, delay, hold);
            }
            if (outcome == Outcome.StorageWait)
            {
                metrics.StorageWaited(envelope.WorkspaceId, group.Count);
                LogStorageWait(logger, envelope.WorkspaceId, group.Count, waits, delay, (group.Select(w => w.StorageError).FirstOrDefault(x => x is not null) ?? storageDown)?.Message.Split('\n')[0]);
            }
        }
    }

    /// <summary>
    /// Enqueues a copy that carries this message's work on. While the queue refuses it (unavailable,
    /// like Table storage, e.g. the whole storage account out of reach), the message is held — the
    /// run does not end, so the host neither retries it nor lets it go — and the hand-back is tried
    /// again, 1 s doubling to 10 s, until the queue takes it or <see cref="DeliveryOptions.StorageHold"/>
    /// from the first hand-back has passed. A hand-back is the only record of calls delivered but not
    /// yet written to the ledger, so giving up would send them again. The hold ignores the host's stop:
    /// a job host restarted for the same outage keeps this process, and a process that ends loses only
    /// what a kill loses (docs/architecture.md, "Delivery": the whole storage account out of reach).
    /// Throws the queue's error when the hold runs out, so the host retries the message.
    /// </summary>
    private async Task HandBackHeldAsync(QueueEnvelope copy, TimeSpan delay, Hold hold)
    {
        for (var pause = FirstHoldPause; ; pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LastHoldPause.Ticks)))
        {
            try
            {
                await queue.EnqueueAsync(copy, delay, CancellationToken.None);
                if (hold.Since is { } since)
                {
                    LogHoldEnded(logger, copy.WorkspaceId, hold.Refusals, time.GetUtcNow() - since);
                    (hold.Since, hold.Refusals) = (null, 0); // said once; a later refusal is a new hold
                }
                return;
            }
            catch (Exception ex) when (StorageErrors.IsUnavailable(ex) && time.GetUtcNow() + pause < hold.Until)
            {
                if (hold.Since is null)
                {
                    hold.Since = time.GetUtcNow();
                    LogHolding(logger, copy.WorkspaceId, hold.Until, ex.Message.Split('\n')[0]);
                }
                hold.Refusals++;
                await Task.Delay(pause, time);
            }
            catch (Exception ex) when (StorageErrors.IsUnavailable(ex))
            {
                LogHoldGaveUp(logger, ex, copy.WorkspaceId, hold.Refusals + 1);
                throw;
            }
        }
    }

    private static readonly TimeSpan FirstHoldPause = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastHoldPause = TimeSpan.FromSeconds(10);

    private Hold NewHold() => new(time.GetUtcNow() + DeliveryOptions.StorageHold);

    /// <summary>One hand-back's hold: until when it may last; since when, and how often, the queue has refused (null and 0 while it takes copies).</summary>
    private sealed class Hold(DateTimeOffset until)
    {
        public DateTimeOffset Until { get; } = until;

        public DateTimeOffset? Since { get; set; }

        public int Refusals { get; set; }
    }

    /// <summary>The event's retry state with the calls delivered so far, or null when it delivered nothing the envelope does not already say.</summary>
    private static RetryState? Progress(Work w, LedgerSession session)
    {
        var known = w.Event.KnownDelivered;
        var delivered = w.Claim is null ? [] : session.Current(w.Claim).Calls.Select(c => c.Key).Where(k => !known.Contains(k)).ToList();
        return delivered.Count == 0 ? null : (w.Event.Envelope.Retry ?? new RetryState()) with { Delivered = [.. known, .. delivered] };
    }

    /// <summary>Table storage was unavailable before anything was claimed: the whole message waits, unchanged but for its wait count.</summary>
    private async Task WaitForStorageAsync(QueueEnvelope envelope, List<PendingEvent> events, Exception error)
    {
        var waits = envelope.Waits + 1;
        var delay = DeliveryOptions.StorageWait(waits, Random.Shared.NextDouble() * 0.1, StorageErrors.RetryAfter(error));
        await HandBackHeldAsync(envelope with { Waits = waits }, delay, NewHold());
        metrics.StorageWaited(envelope.WorkspaceId, events.Count);
        LogStorageWait(logger, envelope.WorkspaceId, events.Count, waits, delay, error.Message.Split('\n')[0]);
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

    private Outcome Skip(Work w, SkipReason reason)
    {
        metrics.Skipped(w.Event.Envelope.WorkspaceId, reason.Code);
        LogSkipped(logger, w.Event.MessageId, w.Event.Envelope.WorkspaceId, reason.Code);
        return Outcome.SkippedCopy;
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

    private void LogSummary(string workspaceId, Work[] work)
    {
        int Count(params Outcome[] outcomes) => work.Count(w => outcomes.Contains(w.Outcome));
        var (delivered, skipped) = (Count(Outcome.Delivered), Count(Outcome.Skipped, Outcome.SkippedCopy));
        if (delivered + skipped < work.Length)
        {
            LogMessage(logger, workspaceId, work.Length, delivered, skipped, Count(Outcome.Retrying), Count(Outcome.DeadLettered),
                Count(Outcome.Waiting), Count(Outcome.HandedBack), Count(Outcome.StorageWait));
        }
        else
        {
            LogMessageDone(logger, workspaceId, work.Length, delivered, skipped);
        }
    }

    /// <summary>What became of an event in this run. <c>SkippedCopy</c>: this copy sent nothing (a repeat, a duplicate), counted at once.</summary>
    private enum Outcome { None, Delivered, Skipped, SkippedCopy, Retrying, DeadLettered, Waiting, HandedBack, StorageWait }

    /// <summary>One event of the message on its way: its plan, its claim, and what became of it.</summary>
    private sealed class Work(PendingEvent e, MappingResult? mapping, ClaimRequest request, string? unavailable = null)
    {
        public PendingEvent Event { get; } = e;

        /// <summary>The mapping (null when the workspace is unavailable); a deletion's becomes its erase calls once owned.</summary>
        public MappingResult? Mapping { get; set; } = mapping;

        public ClaimRequest Request { get; } = request;

        /// <summary>Why the workspace cannot take the event (dead-lettered as workspace_unavailable), or null.</summary>
        public string? Unavailable { get; } = unavailable;

        public EventClaim? Claim { get; set; }

        public UserErasure? Erasure { get; set; }

        public Outcome Outcome { get; set; }

        public Exception? StorageError { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Skipped event {MessageId} of workspace {WorkspaceId}: {ReasonCode}")]
    private static partial void LogSkipped(ILogger logger, string messageId, string workspaceId, string reasonCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {MessageId} of workspace {WorkspaceId} is being delivered by another copy; looking again in {Delay}")]
    private static partial void LogWaiting(ILogger logger, string messageId, string workspaceId, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {MessageId} of workspace {WorkspaceId}: attempt {Attempt} failed ({Error}); next attempt at {NextAttemptAt:O}")]
    private static partial void LogRetrying(ILogger logger, string messageId, string workspaceId, int attempt, string error, DateTimeOffset nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Workspace {WorkspaceId}: Table storage unavailable; {Events} event(s) handed back to the queue to wait (wait {Waits}, looking again in {Delay}); nothing is lost or dead-lettered ({Error})")]
    private static partial void LogStorageWait(ILogger logger, string workspaceId, int events, int waits, TimeSpan delay, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Workspace {WorkspaceId}: the queue is unavailable too and cannot take the hand-back; holding the message and trying again until {Until:O} ({Error})")]
    private static partial void LogHolding(ILogger logger, string workspaceId, DateTimeOffset until, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workspace {WorkspaceId}: the queue took the hand-back after {Refusals} refusal(s) over {Held}; the held message completes")]
    private static partial void LogHoldEnded(ILogger logger, string workspaceId, int refusals, TimeSpan held);

    [LoggerMessage(Level = LogLevel.Error, Message = "Workspace {WorkspaceId}: the queue refused the hand-back {Refusals} time(s) until the hold ran out; the host retries the message, and calls it delivered since the ledger's last write may be sent again")]
    private static partial void LogHoldGaveUp(ILogger logger, Exception exception, string workspaceId, int refusals);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {MessageId} of workspace {WorkspaceId} was delivered after all, but its earlier dead letter could not be removed; delete it by hand (a replay of it sends nothing)")]
    private static partial void LogResolveFailed(ILogger logger, Exception exception, string messageId, string workspaceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workspace {WorkspaceId}: message of {Events} event(s): {Delivered} delivered, {Skipped} skipped, {Retrying} retrying, {DeadLettered} dead-lettered, {Waiting} waiting for another copy, {HandedBack} handed back, {StorageWaits} waiting for Table storage")]
    private static partial void LogMessage(ILogger logger, string workspaceId, int events, int delivered, int skipped, int retrying, int deadLettered, int waiting, int handedBack, int storageWaits);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Workspace {WorkspaceId}: message of {Events} event(s): {Delivered} delivered, {Skipped} skipped")]
    private static partial void LogMessageDone(ILogger logger, string workspaceId, int events, int delivered, int skipped);
}
