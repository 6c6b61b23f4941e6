using System.Net;
using System.Net.Sockets;

namespace ConvertroFunctions.Core.Convertro;

/// <summary>A connection refused before it was made: the host is, or resolves to, an internal address.</summary>
public sealed class RefusedAddressException(string message) : IOException(message);

/// <summary>
/// How the Convertro client connects (<see cref="SocketsHttpHandler.ConnectCallback"/>): the host is
/// resolved here, and when it is, or any of its addresses is, loopback, link-local, private,
/// unspecified or multicast, nothing is connected and the call fails permanently
/// (<see cref="RefusedAddressException"/>). So a domain that passed <see cref="AllowedDomains"/> but
/// resolves inside the network (a DNS rebinding, a misconfigured record, the instance metadata
/// endpoint) is never reached. Checked on every new connection, so a later change of the record
/// counts too. The endpoints the deployment names itself are exempt
/// (<see cref="ConvertroTarget.IsDeliberate"/>: <c>Convertro__BaseUrl</c>, a loopback
/// <c>Convertro__GdprApiUrl</c>, LocalHost's sandbox). docs/operations.md, "Security".
/// </summary>
public sealed class ConvertroConnections(ConvertroTarget target)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, ct);
        if (!target.IsDeliberate(endpoint.Host, endpoint.Port))
        {
            foreach (var address in addresses)
            {
                if (Internal(address) is { } kind)
                {
                    var shown = literal is null ? $" ({address})" : string.Empty;
                    throw new RefusedAddressException(
                        $"{endpoint.Host} is {kind}{shown}: calls go only to public addresses (docs/operations.md, \"Security\")");
                }
            }
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>What kind of internal address <paramref name="address"/> is, or null for a public unicast one.</summary>
    public static string? Internal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address))
        {
            return "loopback";
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.IsIPv6LinkLocal ? "link-local"
                : address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal ? "private"
                : address.IsIPv6Multicast ? "multicast"
                : address.Equals(IPAddress.IPv6Any) ? "unspecified"
                : null;
        }
        var b = address.GetAddressBytes();
        return b[0] switch
        {
            0 => "unspecified",
            10 => "private",
            100 when b[1] is >= 64 and < 128 => "private", // 100.64.0.0/10, carrier-grade NAT
            169 when b[1] == 254 => "link-local",           // the instance metadata endpoint lives here
            172 when b[1] is >= 16 and < 32 => "private",
            192 when b[1] == 168 => "private",
            >= 224 => "multicast",                          // and the reserved 240/4, broadcast included
            _ => null,
        };
    }
}
