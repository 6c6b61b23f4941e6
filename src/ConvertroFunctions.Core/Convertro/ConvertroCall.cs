namespace ConvertroFunctions.Core.Convertro;

/// <summary>Convertro's endpoints (docs/mapping.md, "The wire").</summary>
public enum ConvertroEndpoint
{
    /// <summary><c>api/user</c>: links a device (visitor code) to a user id; from identify.</summary>
    Users,
    /// <summary><c>api/hit</c>: a conversion event; from track.</summary>
    Events,
    /// <summary><c>{Convertro:InstallsPath}</c>: an application install.</summary>
    Installs,
    /// <summary>Convertro's GDPR API: an ERASE request for one visitor code (from a Segment delete).</summary>
    Erase,
}

/// <summary>
/// Where the visit happened, from the event's <c>context</c>: sent with every call of the event
/// (<c>cip</c>, <c>cua</c>, <c>pag</c>, <c>ref</c>) when present. Personal data: never logged.
/// </summary>
public sealed record VisitContext(string? Ip, string? UserAgent, string? PageUrl, string? Referrer)
{
    public bool IsEmpty => Ip is null && UserAgent is null && PageUrl is null && Referrer is null;
}

/// <summary>
/// One call to Convertro as the mapper decides it: typed values, never a URL. The request shape
/// (paths, parameter names and order, encoding) lives only in <see cref="ConvertroWire"/>.
/// </summary>
/// <param name="DeviceId"><c>context.device.id</c>: sent as <c>did</c>, and as the visitor code <c>sid</c> derived from it.</param>
/// <param name="EventId">
/// <c>eid</c> (events and installs): the order id when the event has one, else the Segment messageId, so a repeat of the
/// same conversion is recognisable downstream.
/// </param>
/// <param name="Timestamp">The event's time as Unix seconds (<c>ts</c>).</param>
/// <param name="UserId">users: the user id, as Segment sent it (the wire hashes an email-like id).</param>
/// <param name="EventType">events: the Convertro event type (<c>typ</c>).</param>
/// <param name="Value">events: the event value (<c>val</c>).</param>
/// <param name="Sid">erase: the visitor code to erase (<see cref="EventId"/> is then the request id).</param>
public sealed record ConvertroCall(
    ConvertroEndpoint Endpoint,
    string ClientName,
    string SiteId,
    string DeviceId,
    string? EventId,
    long Timestamp,
    VisitContext? Visit = null,
    string? UserId = null,
    string? EventType = null,
    decimal? Value = null,
    string? Sid = null)
{
    /// <summary>
    /// Names this call among its event's calls ("users", "installs", "events:sale.new"), so a retry
    /// can skip the calls that were already delivered.
    /// </summary>
    public string Key => Endpoint switch
    {
        ConvertroEndpoint.Users => "users",
        ConvertroEndpoint.Installs => "installs",
        ConvertroEndpoint.Erase => "erase:" + Sid,
        _ => "events:" + EventType,
    };
}
