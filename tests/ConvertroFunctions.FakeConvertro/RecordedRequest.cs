using System.Text.Json;
using ConvertroFunctions.Core.Convertro;
using Microsoft.AspNetCore.Http;

namespace ConvertroFunctions.Fakes;

/// <summary>
/// One request Convertro received, with its exact request line (<see cref="Target"/>: path and
/// query as the client sent them) and the tracking parameters read from it.
/// </summary>
public sealed record RecordedRequest(
    string Method, string Target, string Path, IReadOnlyDictionary<string, string> Query, string Body,
    string? Kind, string? ClientName, string? SiteId, string? ApiKey, DateTimeOffset At)
{
    /// <summary>The status the fake answered; <see cref="Pending"/> until it has, <see cref="HungUp"/> when it never did.</summary>
    public int Status { get; internal set; } = Pending;

    public const int Pending = -1, HungUp = 0;

    /// <summary>Convertro took the call: it answered 2xx. (A hung-up request was never accepted.)</summary>
    public bool Accepted => Status is >= 200 and < 300;

    public string? Sid => Get("sid");

    public string? DeviceId => Get("did");

    public string? EventType => Get("typ");

    public string? EventId => Get("eid");

    public string? UserId => Get("id");

    /// <summary>Which of its event's calls this is, as the delivery names it ("users", "installs", "events:sale", "erase:{sid}").</summary>
    public string CallKey => Kind switch
    {
        "user" => "users",
        "hit" => "events:" + EventType,
        "erase" => "erase:" + ErasedSid,
        _ => "installs",
    };

    /// <summary>The id that ties this call to its event in tests: the user id of a users call, else eid.</summary>
    public string? EventKey => Kind == "user" ? UserId : EventId;

    /// <summary>An erase request's visitor code (GDPR API body <c>sid_client_domain</c>).</summary>
    public string? ErasedSid => Json("sid_client_domain");

    public string? Json(string property)
    {
        try
        {
            using var json = JsonDocument.Parse(Body);
            return json.RootElement.TryGetProperty(property, out var value) ? value.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private string? Get(string name) => Query.TryGetValue(name, out var value) ? value : null;

    /// <summary>
    /// Tracking calls are <c>GET /{endpoint path}/{clientName}/{siteId}/?…</c>; anything with a JSON
    /// body is a GDPR API call, whose client is its <c>client_id</c>.
    /// </summary>
    public static RecordedRequest From(ReceivedRequest received, IHeaderDictionary headers)
    {
        var (method, target, body) = (received.Method, received.Target, received.Body ?? string.Empty);
        var question = target.IndexOf('?');
        var path = question < 0 ? target : target[..question];
        string? kind = null, client = null, site = null;
        if (method == HttpMethods.Post && body.Length > 0)
        {
            kind = "erase";
        }
        else
        {
            var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (segments.Length >= 3)
            {
                kind = segments[^3] switch { "hit" => "hit", "user" => "user", _ => "install" };
                client = Uri.UnescapeDataString(segments[^2]);
                site = Uri.UnescapeDataString(segments[^1]);
            }
        }
        var recorded = new RecordedRequest(method, target, path, received.Query, body, kind, client, site,
            headers.TryGetValue("x-api-key", out var key) ? key.ToString() : null, received.At);
        return kind == "erase" ? recorded with { ClientName = recorded.Json("client_id") } : recorded;
    }
}
