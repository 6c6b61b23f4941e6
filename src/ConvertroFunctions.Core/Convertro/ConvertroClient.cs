using System.Net.Http.Headers;
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
public sealed partial class ConvertroClient(HttpClient http, IOptions<ConvertroOptions> options, ILogger<ConvertroClient> logger)
{
    private const int ExcerptChars = 500;

    public async Task<SendOutcome> SendAsync(ConvertroCall call, WorkspaceSettings settings, CancellationToken ct)
    {
        var request = ConvertroWire.Build(call, ConvertroWire.BaseUri(options.Value.BaseUri, settings.Domain));
        using var message = new HttpRequestMessage(HttpMethod.Post, request.Url)
        {
            Content = new ByteArrayContent(request.Body),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue(ConvertroRequest.ContentType) { CharSet = "utf-8" };
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
            LogFailed(logger, call.MessageId, request.Path, status, kind);
            return new SendOutcome(
                kind, status, $"Convertro answered {status} {response.ReasonPhrase} to POST {request.Path}",
                excerpt, RetryAfter(response));
        }
        catch (Exception ex) when (ex is TimeoutRejectedException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            LogFailed(logger, call.MessageId, request.Path, null, OutcomeKind.Transient);
            return new SendOutcome(OutcomeKind.Transient, null,
                $"POST {request.Path} timed out after {options.Value.TimeoutSeconds} s");
        }
        catch (HttpRequestException ex)
        {
            LogFailed(logger, call.MessageId, request.Path, null, OutcomeKind.Transient);
            return new SendOutcome(OutcomeKind.Transient, null, $"POST {request.Path} failed: {ex.Message}");
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Convertro call for message {MessageId} to {Path} failed ({Status}, {Kind})")]
    private static partial void LogFailed(ILogger logger, string messageId, string path, int? status, OutcomeKind kind);
}
