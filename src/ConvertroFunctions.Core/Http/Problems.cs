using Microsoft.AspNetCore.Http;

namespace ConvertroFunctions.Core.Http;

/// <summary>Every error answer is a ProblemDetails (application/problem+json) naming what was wrong.</summary>
public static class Problems
{
    public static IResult Of(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);

    /// <summary>400 with <c>errors</c>: field → messages.</summary>
    public static IResult Invalid(string detail, IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: detail, title: "Invalid request");

    public static IResult UnknownWorkspace(string workspaceId) => Of(
        StatusCodes.Status404NotFound, "Unknown workspace",
        $"No workspace '{workspaceId}' is configured (ids are compared ignoring case). Create it with PUT /api/workspaces/{workspaceId.ToLowerInvariant()}, or list them with GET /api/workspaces.");

    public static IResult DisabledWorkspace(string workspaceId) => Of(
        StatusCodes.Status403Forbidden, "Workspace disabled",
        $"Workspace '{workspaceId}' is disabled; enable it with PUT /api/workspaces/{workspaceId} (\"enabled\": true).");

    public static IResult BadWorkspaceId(string workspaceId) => Invalid(
        $"'{workspaceId}' is not a valid workspace id.",
        new Dictionary<string, string[]> { ["workspaceId"] = [$"Must be {Workspaces.WorkspaceId.Rule}."] });

    public static IResult UnsupportedMediaType(string? contentType) => Of(
        StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
        $"Content-Type must be application/json (UTF-8); got '{contentType ?? "none"}'.");

    public static IResult TooLarge(long limit) => Of(
        StatusCodes.Status413PayloadTooLarge, "Body too large",
        $"The body is over the limit of {limit} bytes (Ingest__MaxBodyBytes).");

    /// <summary>An events body <see cref="Segment.SegmentBody.Parse"/> could not read: 413 over the cap, else 400 saying where.</summary>
    public static IResult UnreadableBody(Segment.BodyFailure failure, string? error, int maxEvents) => failure == Segment.BodyFailure.TooManyEvents
        ? Of(StatusCodes.Status413PayloadTooLarge, "Too many events",
            $"The body holds more than {maxEvents} events; send at most {maxEvents} events per request (Ingest__MaxEventsPerBody; Segment's largest batch is 4000).")
        : MalformedJson(error!);

    public static IResult MalformedJson(string error) => Of(StatusCodes.Status400BadRequest, "Malformed JSON", error);

    /// <summary>503 with Retry-After: Segment retries 5xx, so nothing is lost while storage is down.</summary>
    public static IResult StorageUnavailable(int retryAfterSeconds = 10) => new WithHeaders(
        Of(StatusCodes.Status503ServiceUnavailable, "Storage unavailable",
            "Azure Storage could not be reached. Retry later: repeating the request is safe (nothing it already did is done twice)."),
        headers => headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
