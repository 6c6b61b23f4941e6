using System.Text;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace ConvertroFunctions.Core.Convertro;

/// <summary>
/// One request a stand-in for Convertro received, as both stand-ins record it (LocalHost's sandbox,
/// docs/architecture.md, "LocalHost"; and the tests' fake Convertro): its exact request target (path
/// and query as the client sent them), the query decoded, and its body.
/// </summary>
/// <param name="Body">Null when the request has none.</param>
public sealed record ReceivedRequest(DateTimeOffset At, string Method, string Target, IReadOnlyDictionary<string, string> Query, string? Body)
{
    /// <summary>What Convertro answers a tracking pixel with: a transparent 1×1 GIF.</summary>
    public static readonly byte[] Pixel = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    /// <summary>Records the request in <paramref name="context"/>, received at <paramref name="at"/>.</summary>
    /// <param name="maxBodyChars">
    /// The most of the body kept, when capped: only that much is read, whatever was sent, and a body
    /// cut short ends with a note saying so. Null reads all of it.
    /// </param>
    public static async Task<ReceivedRequest> ReadAsync(HttpContext context, DateTimeOffset at, int? maxBodyChars = null)
    {
        string? body = null;
        if (RequestBody.HasBody(context.Request))
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            body = maxBodyChars is { } max ? await ReadStartAsync(reader, max, context.RequestAborted) : await reader.ReadToEndAsync(context.RequestAborted);
        }
        var target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        return new ReceivedRequest(at, context.Request.Method, target, QueryOf(target), body);
    }

    /// <summary>Answers a tracking call as Convertro does: the pixel (the status is the caller's).</summary>
    public static async Task WritePixelAsync(HttpResponse response, CancellationToken ct)
    {
        response.ContentType = "image/gif";
        await response.Body.WriteAsync(Pixel, ct);
    }

    /// <summary>The query of a request target, decoded (a name given twice: its values joined by commas).</summary>
    public static IReadOnlyDictionary<string, string> QueryOf(string target)
    {
        var question = target.IndexOf('?');
        return question < 0
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : QueryHelpers.ParseQuery(target[question..]).ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
    }

    private static async Task<string> ReadStartAsync(StreamReader reader, int max, CancellationToken ct)
    {
        var start = new char[max + 1];
        var read = await reader.ReadBlockAsync(start.AsMemory(), ct);
        return read <= max
            ? new string(start, 0, read)
            : new string(start, 0, max) + $"… (the rest not recorded: {max} characters are kept)";
    }
}
