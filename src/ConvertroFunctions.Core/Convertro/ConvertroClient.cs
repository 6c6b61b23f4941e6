using System.Text;
using ConvertroFunctions.Core.Workspaces;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace ConvertroFunctions.Core.Convertro;

/// <summary>
/// Sends one <see cref="ConvertroCall"/> with the typed HttpClient and classifies the outcome. Never
/// throws for a failed call (only for cancellation by the host): every outcome is a value.
/// </summary>
public sealed partial class ConvertroClient(
    HttpClient http, ConvertroTarget target, IOptions<ConvertroOptions> options, ILogger<ConvertroClient> logger)
{
    private const int ExcerptChars = 500;

    /// <param name="messageId">For the log line: the only way an operator correlates a call (the URL's query is personal data).</param>
    public async Task<SendOutcome> SendAsync(ConvertroCall call, WorkspaceSettings settings, string? messageId, CancellationToken ct)
    {
        var request = target.RequestFor(call, settings);
        using var message = new HttpRequestMessage(request.Method, request.Uri);
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
            var excerpt = await ReadExcerptAsync(response, ct);
            LogFailed(logger, messageId, what, status, kind);
            return new SendOutcome(
                kind, status, $"Convertro answered {status} {response.ReasonPhrase} to {what}",
                excerpt, RetryAfter(response));
        }
        catch (Exception ex) when (ex is TimeoutRejectedException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            LogFailed(logger, messageId, what, null, OutcomeKind.Transient);
            return new SendOutcome(OutcomeKind.Transient, null, $"{what} timed out after {options.Value.TimeoutSeconds} s");
        }
        catch (HttpRequestException ex)
        {
            LogFailed(logger, messageId, what, null, OutcomeKind.Transient);
            return new SendOutcome(OutcomeKind.Transient, null, $"{what} failed: {ex.Message}");
        }
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Convertro call for message {MessageId} ({Request}) failed ({Status}, {Kind})")]
    private static partial void LogFailed(ILogger logger, string? messageId, string request, int? status, OutcomeKind kind);
}
