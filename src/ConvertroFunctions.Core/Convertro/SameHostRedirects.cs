namespace ConvertroFunctions.Core.Convertro;

/// <summary>
/// Follows the redirects of a tracking call (a GET) to the same host only, at most
/// <see cref="MaxRedirects"/> of them; the primary handler follows none. A redirect to another host,
/// from https to http, or of an erase (a POST carrying the GDPR API key) is left as the answer: a 3xx,
/// which delivery treats as permanent, with <see cref="WhyNotFollowed"/> saying why.
/// docs/operations.md, "Security".
/// </summary>
public sealed class SameHostRedirects : DelegatingHandler
{
    public const int MaxRedirects = 3;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        for (var followed = 0; followed < MaxRedirects && Next(request, response) is { } next; followed++)
        {
            response.Dispose();
            request = new HttpRequestMessage(HttpMethod.Get, next) { Version = request.Version, VersionPolicy = request.VersionPolicy };
            response = await base.SendAsync(request, cancellationToken);
        }
        return response;
    }

    /// <summary>Why a 3xx answer was not followed, for the error message; null when it is not a redirect.</summary>
    public static string? WhyNotFollowed(HttpRequestMessage request, HttpResponseMessage response) =>
        Location(request, response) is not { } location ? null
        : request.Method != HttpMethod.Get ? "an erase follows no redirect"
        : !SameHost(request.RequestUri!, location) ? $"redirecting to another host ({location.IdnHost}), which is not followed"
        : $"still redirecting after {MaxRedirects} redirects";

    private static Uri? Next(HttpRequestMessage request, HttpResponseMessage response) =>
        request.Method == HttpMethod.Get && Location(request, response) is { } location && SameHost(request.RequestUri!, location) ? location : null;

    private static Uri? Location(HttpRequestMessage request, HttpResponseMessage response) =>
        (int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location && request.RequestUri is { } from
            && Uri.TryCreate(from, location, out var to) && (to.Scheme == Uri.UriSchemeHttp || to.Scheme == Uri.UriSchemeHttps)
            ? to
            : null;

    /// <summary>The same host name, and never from https down to http.</summary>
    private static bool SameHost(Uri from, Uri to) =>
        string.Equals(from.IdnHost, to.IdnHost, StringComparison.OrdinalIgnoreCase)
        && (to.Scheme == from.Scheme || to.Scheme == Uri.UriSchemeHttps);
}
