using System.Text.Json;
using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Ingest;
using ConvertroFunctions.Core.Ledger;
using ConvertroFunctions.Core.Segment;
using ConvertroFunctions.Core.Workspaces;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Admin;

/// <summary>
/// One event's preview: its calls, the reason it is skipped, or why ingest would reject it; and,
/// when its messageId was seen before, what became of it (<see cref="Repeat"/>): a delivered or
/// skipped one sends nothing again for 24 hours.
/// </summary>
public sealed record PreviewItem(
    int Index,
    string? MessageId,
    IReadOnlyList<PreviewCall>? Calls = null,
    SkipReason? Skipped = null,
    IReadOnlyList<string>? Errors = null,
    PreviewRepeat? Repeat = null);

/// <summary>The ledger's record of an earlier event with the same messageId.</summary>
public sealed record PreviewRepeat(string State, DateTimeOffset UpdatedAt, string Note);

/// <summary>
/// A Convertro request exactly as delivery would send it: paste <see cref="Url"/> into a browser to
/// send it by hand. <see cref="Parameters"/> is the same query as a readable table.
/// </summary>
public sealed record PreviewCall(string Method, string Url, string Key, IReadOnlyDictionary<string, string> Parameters);

/// <summary>
/// PreviewFunction: the ingest body forms in; for each event the
/// Convertro requests it maps to, through the same mapper and wire builder as delivery. Sends nothing.
/// </summary>
public sealed class PreviewHandler(
    EventLedger ledger, ConvertroTarget target, TimeProvider time, IOptions<IngestOptions> ingest)
{
    /// <summary>Events whose messageId is looked up in the ledger (a point read each); a huge batch shows the first ones.</summary>
    public const int MaxRepeatLookups = 200;

    /// <summary>Relaxed escaping: a URL in the answer reads as it is sent (&amp; not \u0026), ready to paste into a browser.</summary>
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public async Task<IResult> HandleAsync(WorkspaceSettings settings, HttpRequest request, CancellationToken ct)
    {
        var workspaceId = settings.WorkspaceId;
        if (target.DomainProblem(settings) is { } domain)
        {
            // Stored before the rule (or under a wider Convertro__AllowedDomainSuffixes): delivery refuses it too.
            return Problems.Invalid($"Workspace '{workspaceId}' sends nowhere until its domain is fixed (PUT /api/workspaces/{workspaceId}).",
                new Dictionary<string, string[]> { ["domain"] = [domain] });
        }
        var (read, readError) = await RequestBody.ReadJsonAsync(request, ingest.Value.MaxBodyBytes, ct);
        if (readError is not null)
        {
            return readError;
        }
        using var body = read!;
        var max = ingest.Value.MaxEventsPerBody;
        if (SegmentBody.Parse(body.Memory, max, out var parsed, out var error) is not BodyFailure.None and var failure)
        {
            return Problems.UnreadableBody(failure, error, max);
        }
        using (parsed)
        {
            var now = time.GetUtcNow();
            var items = new List<PreviewItem>(parsed!.Count);
            var days = new List<DateOnly>(parsed.Count);
            var rejectedCount = 0;
            for (var i = 0; i < parsed.Count; i++)
            {
                using var e = parsed.Read(i);
                var item = Preview(e.Event, settings, now);
                // Like ingest's answer: the first rejections listed, all of them counted.
                if (item.Errors is null || rejectedCount++ < EventProblem.MaxListed)
                {
                    items.Add(item);
                    // Where a delivery of this event would claim it: the day Segment received it (docs/architecture.md, "The event ledger").
                    days.Add(item.Errors is null ? Delivery.PendingEvent.DayOf(e.Event.Element, now) : default);
                }
            }
            await AddRepeatsAsync(workspaceId, items, days, ct);
            return TypedResults.Json(new { workspaceId, enabled = settings.Enabled, events = items, rejectedCount }, Web);
        }
    }

    private PreviewItem Preview(RawEvent e, WorkspaceSettings settings, DateTimeOffset now)
    {
        if (SegmentEventValidator.Validate(e) is { } problem)
        {
            return new PreviewItem(e.Index, problem.MessageId, Errors: problem.Errors);
        }
        var messageId = e.Element.GetProperty("messageId").GetString();
        var mapping = ConvertroMapper.Map(e.Element, settings, now);
        if (mapping.Skip is { } skip)
        {
            return new PreviewItem(e.Index, messageId, Skipped: skip);
        }
        var calls = mapping.Calls.Select(call =>
        {
            var request = target.RequestFor(call, settings);
            return new PreviewCall(request.Method.Method, request.Url, call.Key,
                request.Parameters.ToDictionary(p => p.Key, p => p.Value));
        }).ToList();
        return new PreviewItem(e.Index, messageId, Calls: calls);
    }

    private async Task AddRepeatsAsync(string workspaceId, List<PreviewItem> items, List<DateOnly> days, CancellationToken ct)
    {
        if (!ledger.Enabled)
        {
            return;
        }
        var checkable = items.Select((item, index) => (item, index)).Where(x => x.item.Errors is null && x.item.MessageId is not null)
            .Take(MaxRepeatLookups).ToList();
        await Parallel.ForEachAsync(checkable, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (x, token) =>
        {
            if (await ledger.LookupAsync(workspaceId, x.item.MessageId!, days[x.index], token) is { } record)
            {
                var note = ClaimRules.Decide(record, new ClaimCopy(null, null), time.GetUtcNow()).Kind switch
                {
                    ClaimKind.AlreadyDone =>
                        "An event with this messageId was already handled in the last 24 hours: delivery would send nothing (already_delivered). Use a new messageId to send it again.",
                    ClaimKind.InFlight or ClaimKind.Duplicate =>
                        "An event with this messageId is still being delivered or retried: this copy would send nothing (duplicate); the other copy delivers it.",
                    _ when record.State == EventState.DeadLettered =>
                        "An event with this messageId was dead-lettered: this copy would be delivered, sending only the calls not delivered before (or replay the dead letter instead).",
                    _ => "An earlier delivery of this messageId stopped before it finished (its hold ran out): this copy would be delivered, sending only the calls not delivered before.",
                };
                items[x.index] = x.item with { Repeat = new PreviewRepeat(EventView.StateName(record.State), record.UpdatedAt, note) };
            }
        });
    }
}
