using System.Text.Json;
using ConvertroFunctions.Core.Audit;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Workspaces;
using ConvertroFunctions.Core.Ledger;
using ConvertroFunctions.Core.Queueing;
using Microsoft.AspNetCore.Http;

namespace ConvertroFunctions.Core.Admin;

/// <summary>A dead letter as the admin API lists it, with the original event as JSON.</summary>
public sealed record DeadLetterView(
    string Id, string? MessageId, string? EventType, string? EventName, string ReasonCode, string Reason, int? LastStatus,
    string? ResponseExcerpt, int Attempts, DateTimeOffset FirstFailureAt, DateTimeOffset LastFailureAt,
    DateTimeOffset ReceivedAt, IReadOnlyList<string> DeliveredCalls, JsonElement Event)
{
    public static DeadLetterView Of(DeadLetter d)
    {
        using var json = JsonDocument.Parse(d.Event);
        return new(d.Id, d.MessageId, d.EventType, d.EventName, d.ReasonCode, d.Reason, d.LastStatus, d.ResponseExcerpt,
            d.Attempts, d.FirstFailureAt, d.LastFailureAt, d.ReceivedAt, d.DeliveredCalls, json.RootElement.Clone());
    }
}

/// <summary>Which dead letters a replay or delete is about: some ids, or all (of one reason code).</summary>
internal sealed record DeadLetterSelection(IReadOnlyList<string>? Ids, string? ReasonCode);

/// <summary>
/// ListDeadLettersFunction (by reason, paged), ReplayDeadLettersFunction and DeleteDeadLettersFunction
/// (docs/api.md, "Dead letters"). Replay goes through the owner rule:
/// it re-enqueues an event (skipping calls already delivered) only when its record has no outcome,
/// says which were delivered meanwhile or are already queued, and removes each letter once done with
/// it, so a failure part-way loses nothing and a replay never sends a call twice.
/// </summary>
public sealed class DeadLetterAdminHandler(DeadLetterStore store, EventLedger ledger, EventQueue queue, AuditTrail audit)
{
    public const int DefaultLimit = 100;

    public async Task<IResult> ListAsync(WorkspaceSettings settings, HttpRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var limit = AdminRequests.QueryCount(request, "limit", DefaultLimit, DeadLetterStore.MaxPage, errors, " Page with continuation for more.") ?? DefaultLimit;
        var reason = request.Query["reason"].ToString() is { Length: > 0 } r ? r : null;
        if (reason is not null && !ReasonCodes.IsKnown(reason))
        {
            errors["reason"] = [UnknownReason(reason)];
        }
        if (errors.Count > 0)
        {
            return Problems.Invalid("Bad query.", errors);
        }
        var continuation = request.Query["continuation"].ToString() is { Length: > 0 } c ? c : null;
        IReadOnlyList<DeadLetter> items;
        string? next;
        try
        {
            (items, next) = await store.PageAsync(settings.WorkspaceId, reason, limit, continuation, ct);
        }
        catch (FormatException)
        {
            return Problems.Invalid("Bad query.", new Dictionary<string, string[]> { ["continuation"] = ["Must be a continuation token from an earlier answer."] });
        }
        return TypedResults.Ok(new { items = items.Select(DeadLetterView.Of), continuation = next });
    }

    public async Task<IResult> ReplayAsync(WorkspaceSettings settings, HttpRequest request, CancellationToken ct)
    {
        var (selection, error) = await ReadSelectionAsync(request, requireExplicitAll: false, ct);
        if (error is not null)
        {
            return error;
        }
        var replayed = 0;
        List<string> alreadyDelivered = [], alreadyQueued = [];
        var (letters, notFound) = Select(settings.WorkspaceId, selection!, ct);
        await foreach (var letter in letters)
        {
            switch (await ReplayAsync(settings.WorkspaceId, letter, ct))
            {
                case ReplayResult.Queued:
                    replayed++;
                    break;
                case ReplayResult.AlreadyDelivered:
                    alreadyDelivered.Add(letter.Id);
                    break;
                default:
                    alreadyQueued.Add(letter.Id);
                    break;
            }
            // Queued, delivered meanwhile, or another copy on it: either way this letter is done with.
            await store.DeleteAsync(letter, ct);
        }
        await audit.RecordAsync(request, settings.WorkspaceId, AuditChange.DeadLetters(AuditActions.DeadLettersReplayed, replayed, selection!.Ids, selection.ReasonCode, notFound.Count), ct);
        return TypedResults.Ok(new { replayed, notFound, alreadyDelivered, alreadyQueued });
    }

    /// <summary>
    /// One letter's event, through the owner rule (<see cref="EventLedger.ReplayAsync"/>): queued as a
    /// new copy, with every call already delivered, only when its record has no outcome.
    /// </summary>
    private async Task<ReplayResult> ReplayAsync(string workspaceId, DeadLetter letter, CancellationToken ct)
    {
        Task Enqueue(string copyId, IReadOnlyList<string> delivered) => queue.EnqueueAsync(new QueueEnvelope
        {
            Id = copyId, WorkspaceId = workspaceId, ReceivedAt = letter.ReceivedAt, Events = [new RawJson(letter.Event)],
            Retry = new RetryState { Delivered = delivered },
        }, TimeSpan.Zero, ct);
        if (letter.MessageId is not { } messageId)
        {
            await Enqueue(QueueEnvelope.NewId(), letter.DeliveredCalls);
            return ReplayResult.Queued;
        }
        using var json = JsonDocument.Parse(letter.Event);
        return await ledger.ReplayAsync(workspaceId, messageId, Delivery.PendingEvent.DayOf(json.RootElement, letter.ReceivedAt), letter.DeliveredCalls, Enqueue, ct);
    }

    public async Task<IResult> DeleteAsync(WorkspaceSettings settings, HttpRequest request, CancellationToken ct)
    {
        var (selection, error) = await ReadSelectionAsync(request, requireExplicitAll: true, ct);
        if (error is not null)
        {
            return error;
        }
        var deleted = 0;
        var (letters, notFound) = Select(settings.WorkspaceId, selection!, ct);
        await foreach (var letter in letters)
        {
            deleted += await store.DeleteAsync(letter, ct) ? 1 : 0;
        }
        await audit.RecordAsync(request, settings.WorkspaceId, AuditChange.DeadLetters(AuditActions.DeadLettersDeleted, deleted, selection!.Ids, selection.ReasonCode, notFound.Count), ct);
        return TypedResults.Ok(new { deleted, notFound });
    }

    /// <summary>The letters a selection names, and the ids that named none (filled as the letters are walked).</summary>
    private (IAsyncEnumerable<DeadLetter> Letters, List<string> NotFound) Select(string workspaceId, DeadLetterSelection selection, CancellationToken ct)
    {
        var missing = new List<string>();
        if (selection.Ids is null)
        {
            return (store.AllAsync(workspaceId, selection.ReasonCode, ct), missing);
        }
        async IAsyncEnumerable<DeadLetter> ByIds()
        {
            foreach (var id in selection.Ids.Distinct(StringComparer.Ordinal))
            {
                if (await store.GetAsync(workspaceId, id, ct) is { } letter)
                {
                    yield return letter;
                }
                else
                {
                    missing.Add(id);
                }
            }
        }
        return (ByIds(), missing);
    }

    /// <summary>
    /// <c>{"ids":[…]}</c>, or <c>{"all":true}</c> optionally with <c>"reason":CODE</c>. For a replay an
    /// empty body, <c>{}</c> or <c>{"reason":CODE}</c> also mean all; a delete must say all.
    /// </summary>
    private static async Task<(DeadLetterSelection? Selection, IResult? Error)> ReadSelectionAsync(HttpRequest request, bool requireExplicitAll, CancellationToken ct)
    {
        var (document, error) = await AdminRequests.ReadJsonAsync(request, AdminRequests.MaxSettingsBytes, ct, emptyAllowed: !requireExplicitAll);
        if (error is not null)
        {
            return (null, error);
        }
        using (document)
        {
            var usage = requireExplicitAll
                ? "Send {\"ids\":[\"<dead-letter id>\", …]}, or {\"all\":true} (optionally with \"reason\":\"<reason code>\")."
                : "Send {\"ids\":[\"<dead-letter id>\", …]}, {\"reason\":\"<reason code>\"}, or an empty body for every dead letter of the workspace.";
            if (document is null)
            {
                return (new DeadLetterSelection(null, null), null);
            }
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.EnumerateObject().Any(p => p.Name is not ("ids" or "all" or "reason")))
            {
                return (null, Bad("body", usage));
            }
            string? reason = null;
            if (root.TryGetProperty("reason", out var r))
            {
                if (r.ValueKind != JsonValueKind.String || !ReasonCodes.IsKnown(r.GetString()))
                {
                    return (null, Bad("reason", UnknownReason(r.ToString())));
                }
                reason = r.GetString();
            }
            if (root.TryGetProperty("ids", out var ids))
            {
                if (ids.ValueKind != JsonValueKind.Array || ids.EnumerateArray().Any(id => id.ValueKind != JsonValueKind.String) || reason is not null
                    || root.TryGetProperty("all", out _))
                {
                    return (null, Bad("ids", usage));
                }
                return (new DeadLetterSelection([.. ids.EnumerateArray().Select(id => id.GetString()!)], null), null);
            }
            var hasAll = root.TryGetProperty("all", out var a);
            if (hasAll && a.ValueKind != JsonValueKind.True)
            {
                // {"all":false} selects nothing a person could mean: refuse it rather than guess.
                return (null, Bad("all", "Must be true when given. " + usage));
            }
            if (requireExplicitAll && !hasAll)
            {
                return (null, Bad("all", usage));
            }
            return (new DeadLetterSelection(null, reason), null);
        }
    }

    private static IResult Bad(string field, string message) =>
        Problems.Invalid("Bad dead-letter request.", new Dictionary<string, string[]> { [field] = [message] });

    private static string UnknownReason(string reason) =>
        $"'{reason}' is not a reason code; one of {string.Join(", ", ReasonCodes.All)}.";
}
