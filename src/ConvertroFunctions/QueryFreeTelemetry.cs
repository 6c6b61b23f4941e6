using System.Diagnostics;
using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using OpenTelemetry;

namespace ConvertroFunctions;

/// <summary>
/// Telemetry keeps a call's method, host, path and status, never its query (docs/operations.md,
/// "Telemetry in Azure"): a Convertro URL's query carries the visitor's IP (<c>cip</c>), user agent
/// (<c>cua</c>), device id (<c>did</c>), user id (<c>id</c>), page and referrer, and Application
/// Insights cannot be purged when Segment asks for a deletion. The Application Insights worker SDK's
/// dependency tracking puts the whole URL in <c>Data</c> (its <c>Name</c> is method and path); this
/// processor runs first in the chain, before Live Metrics, metric extraction and sampling see the item.
/// </summary>
public sealed class QueryFreeTelemetry(ITelemetryProcessor next) : ITelemetryProcessor
{
    public void Process(ITelemetry item)
    {
        switch (item)
        {
            case DependencyTelemetry dependency:
                dependency.Data = WithoutQuery(dependency.Data);
                dependency.Name = BeforeQuery(dependency.Name);
                break;
            case RequestTelemetry { Url: { } url } request:
                request.Url = new Uri(WithoutQuery(url.ToString())!);
                break;
        }
        if (item is ISupportProperties { Properties: { Count: > 0 } properties })
        {
            foreach (var (key, value) in properties.Where(p => WithoutQuery(p.Value) != p.Value).ToList())
            {
                properties[key] = WithoutQuery(value)!;
            }
        }
        next.Process(item);
    }

    /// <summary>
    /// An absolute http(s) URL cut to scheme, host, port and path (no user info, query or fragment);
    /// anything else as it is.
    /// </summary>
    public static string? WithoutQuery(string? value) =>
        value is not null && value.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(value, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
            : value;

    /// <summary>A name or relative target up to its '?', if it has one.</summary>
    public static string? BeforeQuery(string? value) =>
        value?.IndexOf('?', StringComparison.Ordinal) is >= 0 and var at ? value[..at] : value;
}

/// <summary>
/// The same rule for spans the app exports through OpenTelemetry: a URL tag keeps scheme, host and
/// path; <c>url.query</c> is dropped and <c>http.target</c> cut at its '?'. (The app's metrics carry
/// only workspace ids and reason codes as tags.)
/// </summary>
public sealed class QueryFreeSpans : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data)
    {
        var changes = new List<KeyValuePair<string, string?>>();
        foreach (var (key, value) in data.TagObjects)
        {
            if (value is not string text)
            {
                continue;
            }
            var kept = key switch
            {
                "url.query" => null,
                "http.target" or "url.path" => QueryFreeTelemetry.BeforeQuery(text),
                _ => QueryFreeTelemetry.WithoutQuery(text),
            };
            if (kept != text)
            {
                changes.Add(new(key, kept));
            }
        }
        foreach (var (key, kept) in changes)
        {
            data.SetTag(key, kept);
        }
    }
}
