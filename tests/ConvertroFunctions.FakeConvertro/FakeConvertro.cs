using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConvertroFunctions.Fakes;

/// <summary>One request Convertro received.</summary>
public sealed record RecordedRequest(
    string Method, string Path, string? ContentType, string Body, string? Account, string? EventType, string? MessageId, DateTimeOffset At)
{
    /// <summary>The status the fake answered; <see cref="Pending"/> until it has, <see cref="HungUp"/> when it never did.</summary>
    public int Status { get; internal set; } = Pending;

    public const int Pending = -1, HungUp = 0;

    /// <summary>Convertro took the call: it answered 2xx. (A hung-up request was never accepted.)</summary>
    public bool Accepted => Status is >= 200 and < 300;

    /// <summary>Which of its event's calls this is, as the delivery names it ("users", "installs", "events:sale").</summary>
    public string CallKey => Path switch
    {
        "/s2s/v1/users" => "users",
        "/s2s/v1/installs" => "installs",
        _ => "events:" + EventType,
    };
}

/// <summary>How the fake answers one request.</summary>
public sealed record FakeResponse(int Status, string Body = "{}", TimeSpan? RetryAfter = null, TimeSpan? Delay = null)
{
    /// <summary>Holds the request without ever answering, until the caller gives up (a timeout) or goes away.</summary>
    public static readonly FakeResponse Hang = new(RecordedRequest.HungUp, Delay: Timeout.InfiniteTimeSpan);
}

/// <summary>
/// A real HTTP server on 127.0.0.1 standing in for Convertro: records every request and answers
/// from a per-account script (then 200). Tests give each workspace its own account; run on its own
/// (dotnet run --project tests/ConvertroFunctions.FakeConvertro) it prints what it receives.
/// </summary>
public sealed class FakeConvertro : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<FakeResponse>> _scripts = new();
    private WebApplication _app = null!;
    private volatile bool _holding;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Called with each request as it arrives.</summary>
    public Action<RecordedRequest>? OnRequest { get; set; }

    public static async Task<FakeConvertro> StartAsync(string url = "http://127.0.0.1:0")
    {
        var fake = new FakeConvertro();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        fake._app = builder.Build();
        fake._app.Run(fake.HandleAsync);
        await fake._app.StartAsync();
        fake.BaseUrl = new Uri(fake._app.Services.GetRequiredService<IServer>().Features
            .GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return fake;
    }

    /// <summary>Answers the next requests for <paramref name="account"/> with these, in order; then 200.</summary>
    public void Script(string account, params FakeResponse[] responses)
    {
        var queue = _scripts.GetOrAdd(account, _ => new ConcurrentQueue<FakeResponse>());
        foreach (var response in responses)
        {
            queue.Enqueue(response);
        }
    }

    public IReadOnlyList<RecordedRequest> RequestsFor(string account) =>
        _requests.Where(r => r.Account == account).OrderBy(r => r.At).ToList();

    /// <summary>Completes when the process is asked to stop (Ctrl+C or SIGTERM).</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        string? account = null, eventType = null, messageId = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            account = json.RootElement.TryGetProperty("account", out var a) ? a.GetString() : null;
            eventType = json.RootElement.TryGetProperty("event_type", out var t) ? t.GetString() : null;
            messageId = json.RootElement.TryGetProperty("message_id", out var m) ? m.GetString() : null;
        }
        catch (JsonException)
        {
            // Recorded as is; the test will see the body.
        }
        var recorded = new RecordedRequest(context.Request.Method, context.Request.Path, context.Request.ContentType,
            body, account, eventType, messageId, DateTimeOffset.UtcNow);
        _requests.Enqueue(recorded);
        OnRequest?.Invoke(recorded);

        var response = _holding ? FakeResponse.Hang : account is not null && _scripts.TryGetValue(account, out var script) && script.TryDequeue(out var next)
            ? next
            : new FakeResponse(200);
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
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response.Body);
        await context.Response.CompleteAsync();
        recorded.Status = response.Status;
    }

    /// <summary>Holds every request from now on without answering (<see cref="FakeResponse.Hang"/>), until <see cref="Resume"/>.</summary>
    public void HoldAll() => _holding = true;

    public void Resume() => _holding = false;
}
