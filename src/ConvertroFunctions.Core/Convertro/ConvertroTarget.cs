using ConvertroFunctions.Core.Workspaces;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Convertro;

/// <summary>
/// Where a workspace's calls go: <c>Convertro:BaseUrl</c> when set, else https://{domain}. A host
/// may redirect every call elsewhere (LocalHost's recording sandbox); delivery and preview both
/// build their requests here, so what the preview shows is what delivery sends.
/// </summary>
public class ConvertroTarget(IOptions<ConvertroOptions> options)
{
    protected ConvertroOptions Options => options.Value;

    /// <summary>The base every tracking call of <paramref name="settings"/> goes to.</summary>
    public virtual Uri BaseFor(WorkspaceSettings settings) => ConvertroWire.BaseUri(options.Value.BaseUri, settings.Domain);

    /// <summary>For start-up banners and the console: where calls go, in words.</summary>
    public virtual string Describe() => options.Value.BaseUri is { } baseUri
        ? $"{baseUri} (Convertro__BaseUrl)"
        : "https://{domain} of each workspace (Convertro's live tracking API)";

    /// <summary>Where erase requests go: <c>Convertro:GdprApiUrl</c>; null when it is not configured.</summary>
    public virtual Uri? GdprApiUri => options.Value.GdprApiUri;

    /// <summary>Null when the workspace's domain is allowed (<see cref="AllowedDomains"/>); else why not.</summary>
    public string? DomainProblem(WorkspaceSettings settings) => Options.AllowedDomains.Problem(settings.Domain);

    /// <summary>
    /// Whether <paramref name="host"/>:<paramref name="port"/> is an endpoint the deployment names
    /// itself, exempt from the connect-time address check (<see cref="ConvertroConnections"/>):
    /// <c>Convertro__BaseUrl</c>, and <c>Convertro__GdprApiUrl</c> when it is a loopback address.
    /// </summary>
    public virtual bool IsDeliberate(string host, int port) =>
        Is(Options.BaseUri, host, port) || (Options.GdprApiUri is { IsLoopback: true } gdpr && Is(gdpr, host, port));

    protected static bool Is(Uri? uri, string host, int port) =>
        uri is not null && uri.Port == port && string.Equals(uri.IdnHost, host, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a Segment delete for this workspace also erases in Convertro.</summary>
    public bool ErasesFor(WorkspaceSettings settings) => GdprApiUri is not null && !string.IsNullOrEmpty(settings.GdprApiKey);

    public ConvertroRequest RequestFor(ConvertroCall call, WorkspaceSettings settings) => call.Endpoint == ConvertroEndpoint.Erase
        ? ConvertroWire.BuildErase(call, GdprApiUri ?? throw new InvalidOperationException("Convertro:GdprApiUrl is not set; no erase can be sent."))
        : ConvertroWire.Build(call, BaseFor(settings), options.Value.InstallsPath);
}
