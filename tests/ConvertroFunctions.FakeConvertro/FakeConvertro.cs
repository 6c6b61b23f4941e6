using System.Collections.Concurrent;
using ConvertroFunctions.Core.Convertro;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConvertroFunctions.Fakes;

/// <summary>How the fake answers one request.</summary>
public sealed record FakeResponse(int Status, string Body = "", TimeSpan? RetryAfter = null, TimeSpan? Delay = null, string? Location = null)
{
    /// <summary>A 302 to <paramref name="location"/> (relative to the fake).</summary>
    public static FakeResponse Redirect(string location) => new(302, Location: location);

    /// <summary>Holds the request without ever answering, until the caller gives up (a timeout) or goes away.</summary>
    public static readonly FakeResponse Hang = new(RecordedRequest.HungUp, Delay: Timeout.InfiniteTimeSpan);
}

/// <summary>
/// A real HTTP server on 127.0.0.1 standing in for Convertro's tracking API (GET api/hit, api/user,
/// the installs path) and its GDPR API (POST JSON): records every request with its exact request
/// line and answers from a per-client-name script, else 200 with a 1×1 GIF as Convertro does.
/// Tests give each workspace its own client name. Run on its own, it prints what it receives and
/// can be told to fail over HTTP (see Program.cs).
/// </summary>
public sealed class FakeConvertro : IAsyncDisposable
{
    /// <summary>Where <see cref="ScriptAll"/> keeps its responses: they apply to every client name.</summary>
    public const string AnyClient = "*";

    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<FakeResponse>> _scripts = new();
    private WebApplication _app = null!;
    private int _answersBeforeHold = int.MaxValue;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>How long every unscripted answer takes (a Convertro under load).</summary>
    public TimeSpan ResponseDelay { get; set; }

    /// <summary>Called with each request once it has been answered (or hung up).</summary>
    public Action<RecordedRequest>? OnRequest { get; set; }

    /// <param name="control">Also serve /fake/requests and /fake/script (for running it by hand).</param>
    public static async Task<FakeConvertro> StartAsync(string url = "http://127.0.0.1:0", bool control = false)
    {
        var fake = new FakeConvertro();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        fake._app = builder.Build();
        if (control)
        {
            FakeControl.Map(fake._app, fake);
        }
        // Any other path is Convertro (literal routes above win over the catch-all).
        fake._app.Map("/{**path}", fake.HandleAsync);
        await fake._app.StartAsync();
        fake.BaseUrl = new Uri(fake._app.Services.GetRequiredService<IServer>().Features
            .GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return fake;
    }

    /// <summary>Answers the next requests for <paramref name="clientName"/> with these, in order; then 200.</summary>
    public void Script(string clientName, params FakeResponse[] responses)
    {
        var queue = _scripts.GetOrAdd(clientName, _ => new ConcurrentQueue<FakeResponse>());
        foreach (var response in responses)
        {
            queue.Enqueue(response);
        }
    }

    /// <summary>Answers the next requests, whatever their client name, with these; then 200.</summary>
    public void ScriptAll(params FakeResponse[] responses) => Script(AnyClient, responses);

    public IReadOnlyList<RecordedRequest> Requests => _requests.OrderBy(r => r.At).ToList();

    public IReadOnlyList<RecordedRequest> RequestsFor(string clientName) =>
        _requests.Where(r => r.ClientName == clientName).OrderBy(r => r.At).ToList();

    public void Clear() => _requests.Clear();

    /// <summary>Completes when the process is asked to stop (Ctrl+C or SIGTERM).</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>
    /// Answers the next <paramref name="requests"/> requests as usual, then holds every later one without
    /// answering (<see cref="FakeResponse.Hang"/>) until <see cref="Resume"/>: the switch happens inside
    /// the fake, on the request that crosses the count, so it does not depend on how fast a test polls.
    /// </summary>
    public void HoldAfter(int requests) => Volatile.Write(ref _answersBeforeHold, requests);

    public void Resume() => Volatile.Write(ref _answersBeforeHold, int.MaxValue);

    private async Task HandleAsync(HttpContext context)
    {
        var recorded = RecordedRequest.From(await ReceivedRequest.ReadAsync(context, DateTimeOffset.UtcNow), context.Request.Headers);
        _requests.Enqueue(recorded);

        var holding = Interlocked.Decrement(ref _answersBeforeHold) < 0;
        var response = holding ? FakeResponse.Hang : NextResponse(recorded.ClientName);
        try
        {
            await AnswerAsync(context, recorded, response);
        }
        finally
        {
            OnRequest?.Invoke(recorded);
        }
    }

    private FakeResponse NextResponse(string? clientName)
    {
        foreach (var key in new[] { clientName ?? string.Empty, AnyClient })
        {
            if (_scripts.TryGetValue(key, out var script) && script.TryDequeue(out var next))
            {
                return next;
            }
        }
        return new FakeResponse(200, Delay: ResponseDelay > TimeSpan.Zero ? ResponseDelay : null);
    }

    private static async Task AnswerAsync(HttpContext context, RecordedRequest recorded, FakeResponse response)
    {
        if (response.Delay is { } delay)
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                recorded.Status = RecordedRequest.HungUp;
                return;
            }
        }
        if (response.Status == RecordedRequest.HungUp)
        {
            recorded.Status = RecordedRequest.HungUp;
            context.Abort();
            return;
        }
        context.Response.StatusCode = response.Status;
        if (response.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (response.Location is { } location)
        {
            context.Response.Headers.Location = location;
        }
        if (response.Body.Length > 0)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(response.Body);
        }
        else if (recorded.Method == HttpMethods.Get && response.Status is >= 200 and < 300)
        {
            await ReceivedRequest.WritePixelAsync(context.Response, context.RequestAborted);
        }
        await context.Response.CompleteAsync();
        recorded.Status = response.Status;
    }
}
