using Azure.Core;
using ConvertroFunctions.Core.Storage;

namespace ConvertroFunctions;

/// <summary>
/// APPLICATIONINSIGHTS_AUTHENTICATION_STRING, the setting the Functions host and the worker's
/// Application Insights SDK read to send telemetry with Microsoft Entra ID:
/// <c>Authorization=AAD</c> (the system-assigned identity) or
/// <c>ClientId=&lt;client id&gt;;Authorization=AAD</c> (that user-assigned identity). infra/ sets the
/// second, since the Application Insights resource accepts no instrumentation-key-only telemetry.
/// </summary>
public sealed record ApplicationInsightsAuthentication(string? ClientId)
{
    /// <summary>Null when the setting is unset or empty; an exception naming the setting when it is malformed.</summary>
    public static ApplicationInsightsAuthentication? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var parts = new System.Data.Common.DbConnectionStringBuilder();
        try
        {
            parts.ConnectionString = value;
        }
        catch (ArgumentException ex)
        {
            throw Invalid($"it is not Key=Value;… ({ex.Message})");
        }
        var authorization = parts.TryGetValue("Authorization", out var a) ? a?.ToString()?.Trim() : null;
        var clientId = parts.TryGetValue("ClientId", out var c) ? c?.ToString()?.Trim() : null;
        if (clientId is not null && !Guid.TryParse(clientId, out _))
        {
            throw Invalid($"ClientId '{clientId}' is not a GUID");
        }

        return string.Equals(authorization, "AAD", StringComparison.OrdinalIgnoreCase)
            ? new ApplicationInsightsAuthentication(clientId)
            : throw Invalid("it needs Authorization=AAD");
    }

    /// <summary>The managed identity that gets tokens for ingestion; no token is asked for until telemetry is sent.</summary>
    public TokenCredential CreateCredential() => StorageClients.ManagedIdentity(ClientId);

    private static InvalidOperationException Invalid(string problem) =>
        new($"{AppServices.AuthenticationStringSetting} is not valid: {problem} (expected Authorization=AAD, optionally with ClientId=<client id>;).");
}
