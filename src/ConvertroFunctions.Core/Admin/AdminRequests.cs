using System.Globalization;
using System.Text.Json;
using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Json;
using Microsoft.AspNetCore.Http;

namespace ConvertroFunctions.Core.Admin;

/// <summary>Reading an admin request (a JSON body: media type, size and syntax; query numbers), each problem with its own clear error.</summary>
internal static class AdminRequests
{
    public const int MaxSettingsBytes = 1024 * 1024;

    /// <summary>Reads and parses the body, or returns the error answer (415, 413, 400) instead.</summary>
    public static async Task<(JsonDocument? Document, IResult? Error)> ReadJsonAsync(
        HttpRequest request, int limit, CancellationToken ct, bool emptyAllowed = false)
    {
        if (emptyAllowed && !RequestBody.HasBody(request))
        {
            return (null, RequestBody.RefuseNonJson(request));
        }
        var (read, error) = await RequestBody.ReadJsonAsync(request, limit, ct);
        if (error is not null)
        {
            return (null, error);
        }
        using var body = read!;
        if (emptyAllowed && body.Length == 0)
        {
            return (null, null);
        }
        // Copied: the pooled buffer goes back when this method returns, the document lives on.
        if (!StrictJson.TryParse(body.Memory.ToArray(), out var document, out var malformed))
        {
            return (null, Problems.MalformedJson(malformed!));
        }
        if (UnicodeCheck.UnpairedSurrogate(document!.RootElement, body.Memory.Span, "body") is { } where)
        {
            document.Dispose();
            return (null, Problems.MalformedJson(UnicodeCheck.SurrogateProblem(where)));
        }
        return (document, null);
    }

    /// <summary>
    /// A query parameter that must be a whole number from 1 to <paramref name="max"/>: its value
    /// (<paramref name="default"/> when absent), or null with the problem added to <paramref name="errors"/>.
    /// </summary>
    public static int? QueryCount(HttpRequest request, string name, int @default, int max, IDictionary<string, string[]> errors, string? hint = null)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return @default;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 && value <= max)
        {
            return value;
        }
        errors[name] = [$"Must be a whole number from 1 to {max}; got '{text}'.{hint}"];
        return null;
    }
}
