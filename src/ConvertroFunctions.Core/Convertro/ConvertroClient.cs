using System.Text;
using ConvertroFunctions.Core.Workspaces;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace ConvertroFunctions.Core.Convertro;

/// <summary>
/// Sends one <see cref="ConvertroCall"/> with the typed HttpClient and classifies the outcome. Never
/// throws for a failed call (only for cancellation by the host): every outcome is a value, and the
/// delivery logs it once (the URL's query carries personal data, so only method and path appear).
/// </summary>
public sealed class ConvertroClient(HttpClient http, ConvertroTarget target, IOptions<ConvertroOptions> options)
{
    private const int ExcerptChars = 500;

    /// <summary>Null when the workspace's domain is allowed; else why not (delivery dead-letters its events as workspace_unavailable).</summary>
    public string? DomainProblem(WorkspaceSettings settings) => target.DomainProblem(settings);

    public async Task<SendOutcome> SendAsync(ConvertroCall call, WorkspaceSettings settings, CancellationToken ct)
    {
        var request = target.RequestFor(call, settings);
        using var message = new HttpRequestMessage(request.Method, request.Uri);
        if (request.Body is { } body)
        {
            message.Content = new StringContent(body, Encoding.UTF8, "application/json");
            message.Headers.Add(ConvertroRequest.ApiKeyHeader, settings.GdprApiKey);
        }
        var what = $"{request.Method} {request.Path}";
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            var kind = SendOutcome.Classify(status);
            if (kind == OutcomeKind.Delivered)
            {
                return SendOutcome.Delivered with { Status = status };
            }
            var redirect = SameHostRedirects.WhyNotFollowed(response.RequestMessage ?? message, response) is { } why ? ", " + why : string.Empty;
            return new SendOutcome(
                kind, status, $"Convertro answered {status} {response.ReasonPhrase} to {what}{redirect}",
                await ReadExcerptAsync(response, ct), RetryAfter(response));
        }
        catch (HttpRequestException ex) when (ex.InnerException is RefusedAddressException refused)
        {
            return new SendOutcome(OutcomeKind.Permanent, null, $"{what} was not sent: {refused.Message}");
        }
        catch (Exception ex) when (SendOutcome.IsTransient(ex, ct))
        {
            return new SendOutcome(OutcomeKind.Transient, null, ex is TimeoutRejectedException or OperationCanceledException
                ? $"{what} timed out after {options.Value.TimeoutSeconds} s"
                : $"{what} failed: {Describe((HttpRequestException)ex)}");
        }
    }

    /// <summary>The kind of connection failure and its message (host and port at most, never the query).</summary>
    private static string Describe(HttpRequestException ex) =>
        ex.HttpRequestError == HttpRequestError.Unknown ? ex.Message : $"{ex.HttpRequestError} ({ex.Message})";

    private static async Task<string?> ReadExcerptAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[ExcerptChars * 4];
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
        if (read == 0)
        {
            return null;
        }
        var text = Encoding.UTF8.GetString(buffer, 0, read);
        return text.Length <= ExcerptChars ? text : text[..ExcerptChars] + "…";
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }
        return header?.Date is { } date ? date - DateTimeOffset.UtcNow : null;
    }
}
