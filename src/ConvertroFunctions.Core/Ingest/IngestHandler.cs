using System.Text.Json.Serialization;
using Azure;
using ConvertroFunctions.Core.Delivery;
using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Segment;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.Core.Workspaces;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Ingest;

/// <summary>
/// Body of 202 and 207 answers. <see cref="Rejected"/> lists the first <see cref="EventProblem.MaxListed"/>
/// rejections, <see cref="RejectedCount"/> counts them all. <see cref="Duplicates"/>: how many of the
/// accepted events repeat a messageId this instance accepted in the last 24 hours (delivery sends
/// nothing for one it delivered).
/// </summary>
public sealed record IngestResult(
    int Accepted,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<EventProblem>? Rejected = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int RejectedCount = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Duplicates = 0);

/// <summary>
/// IngestFunction, Segment's webhook (docs/api.md, "Ingest"): checks in the contract's order,
/// then enqueues the valid events' raw JSON. Never calls Convertro nor writes a table, so it answers
/// well inside Segment's ~3 s deadline.
/// </summary>
public sealed partial class IngestHandler(
    RecentMessageIds recent,
    EventQueue queue,
    DeliveryMetrics metrics,
    TimeProvider time,
    IOptions<IngestOptions> options,
    ILogger<IngestHandler> logger)
{
    public async Task<IResult> HandleAsync(WorkspaceSettings settings, HttpRequest request, CancellationToken ct)
    {
        var workspaceId = settings.WorkspaceId;
        var (read, error) = await RequestBody.ReadJsonAsync(request, options.Value.MaxBodyBytes, ct);
        if (error is not null)
        {
            return error;
        }
        using var body = read!;
        if (settings.SharedSecret is null && options.Value.RequireSignature)
        {
            LogUnsigned(logger, workspaceId);
            metrics.SignatureRejected(workspaceId);
            return Problems.Of(StatusCodes.Status401Unauthorized, "Signature required",
                $"This deployment requires signed requests (Ingest__RequireSignature) and workspace '{workspaceId}' has no sharedSecret: " +
                $"set one with PUT /api/workspaces/{workspaceId} (\"sharedSecret\") and the same secret in Segment's destination settings.");
        }
        // The signature first: Segment signs an array's first element, found without splitting the
        // rest, so an unsigned flood is refused before any work is done for it.
        if (settings.SharedSecret is { } secret && !SegmentSignature.IsValid(
                secret, request.Headers[SegmentSignature.HeaderName], body.Memory.Span, SegmentBody.FirstArrayElementOf(body.Memory).Span))
        {
            // Segment does not retry a 401: the events are lost unless someone notices. Say it loudly.
            LogBadSignature(logger, workspaceId, request.Headers.ContainsKey(SegmentSignature.HeaderName));
            metrics.SignatureRejected(workspaceId);
            return Problems.Of(StatusCodes.Status401Unauthorized, "Invalid signature",
                $"{SegmentSignature.HeaderName} is missing or is not the HMAC-SHA1 of the body with this workspace's shared secret.");
        }
        var max = options.Value.MaxEventsPerBody;
        if (SegmentBody.Parse(body.Memory, max, out var parsed, out var parseError) is not BodyFailure.None and var failure)
        {
            return Problems.UnreadableBody(failure, parseError, max);
        }
        using (parsed)
        {
            return await AcceptAsync(workspaceId, parsed!, ct);
        }
    }

    private async Task<IResult> AcceptAsync(string workspaceId, SegmentBody parsed, CancellationToken ct)
    {
        var accepted = new List<ReadOnlyMemory<byte>>(parsed.Count);
        var messageIds = new List<string>(parsed.Count);
        var rejected = new List<EventProblem>();
        var rejectedCount = 0;
        for (var i = 0; i < parsed.Count; i++)
        {
            // One event's document at a time; the raw text kept for the queue outlives it.
            using var e = parsed.Read(i);
            if (SegmentEventValidator.Validate(e.Event) is { } problem)
            {
                if (rejectedCount++ < EventProblem.MaxListed)
                {
                    rejected.Add(problem);
                }
            }
            else
            {
                accepted.Add(e.Event.Utf8);
                messageIds.Add(e.Event.Element.GetProperty("messageId"u8).GetString()!);
            }
        }
        if (accepted.Count == 0)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "No valid events",
                parsed.Count == 0 ? "The body holds no events." : "Every event in the body is invalid; see rejected.",
                new Dictionary<string, object?> { ["accepted"] = 0, ["rejected"] = rejected, ["rejectedCount"] = rejectedCount });
        }

        try
        {
            await queue.EnqueueAsync(workspaceId, time.GetUtcNow(), accepted, ct);
        }
        catch (Exception ex) when (StorageErrors.IsUnavailable(ex) || ex is RequestFailedException)
        {
            // Down, or refusing the write (a quota, a full emulator): either way Segment should retry
            // later, so 503 rather than a 500 Segment would not retry.
            LogStorageDown(logger, ex, workspaceId);
            return Problems.StorageUnavailable();
        }
        metrics.Accepted(workspaceId, accepted.Count);
        var duplicates = recent.Record(workspaceId, messageIds);
        if (rejectedCount > 0)
        {
            LogRejected(logger, workspaceId, rejectedCount, accepted.Count);
            return TypedResults.Json(new IngestResult(accepted.Count, rejected, rejectedCount, duplicates), statusCode: StatusCodes.Status207MultiStatus);
        }
        return TypedResults.Json(new IngestResult(accepted.Count, Duplicates: duplicates), statusCode: StatusCodes.Status202Accepted);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Rejected a request for workspace {WorkspaceId} with a bad X-Signature (header present: {HeaderPresent}); Segment will not retry it. Check the workspace's sharedSecret.")]
    private static partial void LogBadSignature(ILogger logger, string workspaceId, bool headerPresent);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rejected a request for workspace {WorkspaceId}: signatures are required (Ingest__RequireSignature) and it has no sharedSecret; Segment will not retry it. Set the workspace's sharedSecret.")]
    private static partial void LogUnsigned(ILogger logger, string workspaceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workspace {WorkspaceId}: rejected {Rejected} invalid event(s), accepted {Accepted}")]
    private static partial void LogRejected(ILogger logger, string workspaceId, int rejected, int accepted);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage unavailable while ingesting for workspace {WorkspaceId}; answered 503")]
    private static partial void LogStorageDown(ILogger logger, Exception exception, string workspaceId);
}
