using System.Collections.Concurrent;
using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.Http;

namespace ConvertroFunctions.LocalHost.Sandbox;

/// <summary>One request the sandbox received.</summary>
public sealed record SandboxRequest(DateTimeOffset At, string Method, string Url, IReadOnlyDictionary<string, string> Query, string? Body);

/// <summary>
/// LocalHost's recording Convertro (docs/architecture.md, "LocalHost"): with no
/// <c>Convertro__BaseUrl</c>, every call goes to <c>/sandbox/convertro/…</c> on LocalHost itself,
/// which answers 200 as Convertro does and keeps the last <see cref="Capacity"/> requests, so a new
/// user sees exactly what their events became and nothing leaves the machine by accident.
/// </summary>
public sealed class ConvertroSandbox
{
    public const string Prefix = "/sandbox/convertro";
    public const int Capacity = 1000;

    /// <summary>The most of a request body kept (an erase's is about 200 bytes): 1,000 huge bodies cannot fill the memory.</summary>
    public const int MaxRecordedBodyChars = 4096;

    private readonly ConcurrentQueue<SandboxRequest> _requests = new();

    /// <summary>Newest first.</summary>
    public IReadOnlyList<SandboxRequest> Requests => [.. _requests.Reverse()];

    public void Map(IEndpointRouteBuilder app)
    {
        // What it recorded holds event data: never cached, like the admin API's answers.
        app.MapGet(Prefix + "/requests", () => ApiGuard.NoStore(TypedResults.Ok(new { capacity = Capacity, requests = Requests })));
        app.MapMethods(Prefix + "/{**path}", [HttpMethods.Get, HttpMethods.Post], RecordAsync);
    }

    private async Task RecordAsync(HttpContext context)
    {
        // Only the start of a body is read: the rest is never buffered, whatever was sent.
        var received = await ReceivedRequest.ReadAsync(context, DateTimeOffset.UtcNow, MaxRecordedBodyChars);
        _requests.Enqueue(new SandboxRequest(received.At, received.Method,
            $"{context.Request.Scheme}://{context.Request.Host}{received.Target}", received.Query, received.Body));
        while (_requests.Count > Capacity && _requests.TryDequeue(out _))
        {
        }
        if (HttpMethods.IsGet(context.Request.Method))
        {
            await ReceivedRequest.WritePixelAsync(context.Response, context.RequestAborted);
        }
        else
        {
            await context.Response.WriteAsJsonAsync(new { status = "accepted" }, context.RequestAborted);
        }
    }
}
