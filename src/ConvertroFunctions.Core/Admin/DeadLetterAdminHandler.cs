using System.Globalization;
using System.Text.Json;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Workspaces;
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

/// <summary>
/// <c>GET /api/workspaces/{id}/dead-letters</c> and <c>POST …/dead-letters/replay</c>. Replay
/// re-enqueues each event (skipping calls already delivered) and removes it from the table once
/// enqueued, so a failure part-way loses nothing.
/// </summary>
public sealed class DeadLetterAdminHandler(DeadLetterStore store, WorkspaceStore workspaces, EventQueue queue)
{
    public const int DefaultLimit = 100, MaxLimit = 1000;

    public async Task<IResult> ListAsync(string workspaceId, HttpRequest request, CancellationToken ct)
    {
        if (!WorkspaceId.IsValid(workspaceId))
        {
            return Problems.BadWorkspaceId(workspaceId);
        }
        var limit = DefaultLimit;
        var text = request.Query["limit"].ToString();
        if (text.Length > 0 && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            return Problems.Invalid("Bad query.", new Dictionary<string, string[]> { ["limit"] = [$"Must be a whole number from 1 to {MaxLimit}; got '{text}'."] });
        }
        var letters = await store.ListAsync(workspaceId, limit, ct);
        return TypedResults.Ok(letters.Select(DeadLetterView.Of).ToList());
    }

    public async Task<IResult> ReplayAsync(string workspaceId, HttpRequest request, CancellationToken ct)
    {
        var settings = WorkspaceId.IsValid(workspaceId) ? await workspaces.GetAsync(workspaceId, ct) : null;
        if (settings is null)
        {
            return Problems.UnknownWorkspace(workspaceId);
        }
        if (!settings.Enabled)
        {
            return Problems.Of(StatusCodes.Status409Conflict, "Workspace disabled",
                $"Workspace '{workspaceId}' is disabled: replayed events would be dead-lettered again. Enable it first.");
        }
        var (document, error) = await AdminRequests.ReadJsonAsync(request, AdminRequests.MaxSettingsBytes, ct, emptyAllowed: true);
        if (error is not null)
        {
            return error;
        }
        using (document)
        {
            var (ids, idsError) = ReadIds(document);
            if (idsError is not null)
            {
                return idsError;
            }
            var letters = ids is null ? await store.ListAsync(workspaceId, int.MaxValue, ct) : await GetAllAsync(workspaceId, ids, ct);
            foreach (var letter in letters)
            {
                await queue.EnqueueAsync(new QueueEnvelope
                {
                    WorkspaceId = workspaceId,
                    ReceivedAt = letter.ReceivedAt,
                    Events = [new RawJson(letter.Event)],
                    Retry = new RetryState { Delivered = letter.DeliveredCalls },
                }, TimeSpan.Zero, ct);
                await store.DeleteAsync(workspaceId, letter.Id, ct);
            }
            var notFound = ids?.Except(letters.Select(l => l.Id)).ToList();
            return TypedResults.Ok(new { replayed = letters.Count, notFound });
        }
    }

    private async Task<List<DeadLetter>> GetAllAsync(string workspaceId, IReadOnlyList<string> ids, CancellationToken ct)
    {
        var found = new List<DeadLetter>();
        foreach (var id in ids.Distinct())
        {
            if (await store.GetAsync(workspaceId, id, ct) is { } letter)
            {
                found.Add(letter);
            }
        }
        return found;
    }

    /// <summary>An empty body replays everything; <c>{"ids":[…]}</c> replays those.</summary>
    private static (IReadOnlyList<string>? Ids, IResult? Error) ReadIds(JsonDocument? document)
    {
        if (document is null)
        {
            return (null, null);
        }
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object && !root.EnumerateObject().Any())
        {
            return (null, null);
        }
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("ids", out var ids) || ids.ValueKind != JsonValueKind.Array
            || ids.EnumerateArray().Any(id => id.ValueKind != JsonValueKind.String))
        {
            return (null, Problems.Invalid("Bad replay request.", new Dictionary<string, string[]>
            {
                ["ids"] = ["Send {\"ids\":[\"<dead-letter id>\", …]}, or an empty body to replay every dead letter of the workspace."],
            }));
        }
        return (ids.EnumerateArray().Select(id => id.GetString()!).ToList(), null);
    }
}
