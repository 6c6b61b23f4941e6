using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ConvertroFunctions.Fakes;

/// <summary>A script step sent to <c>POST /fake/script</c>.</summary>
public sealed record FakeScriptStep(int Status, int Times = 1, double? RetryAfterSeconds = null, double? DelaySeconds = null, string? Body = null);

/// <summary>A script sent to <c>POST /fake/script</c>: for one client name, or every one when omitted.</summary>
public sealed record FakeScriptRequest(string? ClientName, IReadOnlyList<FakeScriptStep> Steps);

/// <summary>
/// The fake's own control routes, for running it by hand (Program.cs): list or clear what it
/// received, and tell it to fail the next requests.
/// </summary>
public static class FakeControl
{
    public static void Map(IEndpointRouteBuilder app, FakeConvertro fake)
    {
        app.MapGet("/fake/requests", () => fake.Requests.Select(r => new
        {
            r.At, r.Method, r.Target, r.Kind, r.ClientName, r.Status, query = r.Query,
        }));
        app.MapDelete("/fake/requests", () =>
        {
            fake.Clear();
            return Results.NoContent();
        });
        app.MapPost("/fake/script", (FakeScriptRequest script) =>
        {
            var responses = Responses(script.Steps).ToArray();
            if (script.ClientName is { Length: > 0 } client)
            {
                fake.Script(client, responses);
            }
            else
            {
                fake.ScriptAll(responses);
            }
            return Results.Ok(new { scripted = responses.Length, clientName = script.ClientName ?? FakeConvertro.AnyClient });
        });
    }

    public static IEnumerable<FakeResponse> Responses(IEnumerable<FakeScriptStep> steps) =>
        steps.SelectMany(step => Enumerable.Repeat(new FakeResponse(
            step.Status, step.Body ?? string.Empty,
            step.RetryAfterSeconds is { } retryAfter ? TimeSpan.FromSeconds(retryAfter) : null,
            step.DelaySeconds is { } delay ? TimeSpan.FromSeconds(delay) : null), Math.Max(1, step.Times)));
}
