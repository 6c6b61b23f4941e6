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
public sealed record RecordedRequest(string Method, string Path, string? ContentType, string Body, string? Account, string? EventType, DateTimeOffset At);

/// <summary>How the fake answers one request.</summary>
public sealed record FakeResponse(int Status, string Body = "{}", TimeSpan? RetryAfter = null, TimeSpan? Delay = null);

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
        string? account = null, eventType = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            account = json.RootElement.TryGetProperty("account", out var a) ? a.GetString() : null;
            eventType = json.RootElement.TryGetProperty("event_type", out var t) ? t.GetString() : null;
        }
        catch (JsonException)
        {
            // Recorded as is; the test will see the body.
        }
        var recorded = new RecordedRequest(context.Request.Method, context.Request.Path, context.Request.ContentType,
            body, account, eventType, DateTimeOffset.UtcNow);
        _requests.Enqueue(recorded);
        OnRequest?.Invoke(recorded);

        var response = account is not null && _scripts.TryGetValue(account, out var script) && script.TryDequeue(out var next)
            ? next
            : new FakeResponse(200);
        if (response.Delay is { } delay)
        {
            await Task.Delay(delay);
        }
        context.Response.StatusCode = response.Status;
        if (response.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response.Body);
    }
}
