namespace ConvertroFunctions.Core.Convertro;

/// <summary>Convertro's server-to-server endpoints.</summary>
public enum ConvertroEndpoint
{
    /// <summary>Links a device id to a user id (from identify).</summary>
    Users,
    /// <summary>Conversion events (from track).</summary>
    Events,
    /// <summary>Application installs.</summary>
    Installs,
}

/// <summary>
/// One call to Convertro's server-to-server API: the endpoint and its typed payload. The wire
/// format lives in <see cref="ConvertroWire"/>.
/// </summary>
public sealed record ConvertroCall(
    ConvertroEndpoint Endpoint,
    string Account,
    string ClientName,
    string SiteId,
    string DeviceId,
    string? UserId,
    string MessageId,
    string Timestamp,
    string? EventType = null,
    decimal? EventValue = null,
    string? OrderId = null)
{
    /// <summary>
    /// Names this call among its event's calls ("users", "installs", "events:sale.new"), so a retry
    /// can skip the calls that were already delivered.
    /// </summary>
    public string Key => Endpoint switch
    {
        ConvertroEndpoint.Users => "users",
        ConvertroEndpoint.Installs => "installs",
        _ => "events:" + EventType,
    };
}
