using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.Workspaces;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.LocalHost.Sandbox;

/// <summary>Sends every workspace's calls to LocalHost's own <see cref="ConvertroSandbox"/>.</summary>
public sealed class SandboxTarget(IServer server, IOptions<ConvertroOptions> options) : ConvertroTarget(options)
{
    private Uri? _base;

    /// <summary>Read once the server is bound: with --urls http://127.0.0.1:0 the port is known only then.</summary>
    private Uri Base => _base ??= SandboxBase(server);

    public override Uri BaseFor(WorkspaceSettings settings) => Base;

    /// <summary>With a GDPR API configured, erase requests go to the sandbox too: nothing leaves the machine.</summary>
    public override Uri? GdprApiUri => Options.GdprApiUri is null ? null : new Uri(Base.AbsoluteUri.TrimEnd('/') + "/gdpr/v1/requests");

    /// <summary>The sandbox is on loopback by design: its calls skip the connect-time address check.</summary>
    public override bool IsDeliberate(string host, int port) => Is(Base, host, port) || base.IsDeliberate(host, port);

    public override string Describe() =>
        $"sandbox at {Base} — nothing leaves this machine (Convertro__Sandbox=false or --live sends to each workspace's https://{{domain}})";

    /// <summary>LocalHost's own address (the real port once bound), on loopback, plus the sandbox prefix.</summary>
    public static Uri SandboxBase(IServer server)
    {
        var address = server.Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return ListenUrl.TryParse(address, out var listen)
            ? new UriBuilder(listen.Reach) { Path = ConvertroSandbox.Prefix }.Uri
            : throw new InvalidOperationException($"The server reports an address that is not a URL: {address}");
    }
}
