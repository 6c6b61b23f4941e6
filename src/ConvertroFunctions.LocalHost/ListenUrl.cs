using System.Net;

namespace ConvertroFunctions.LocalHost;

/// <summary>
/// One URL LocalHost listens on (<c>--urls</c>, or an address the server reports once bound), read
/// once for every use: where this machine reaches it, what it binds, and whether other machines can
/// reach it. A wildcard (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>, <c>[::]</c>) binds every address and is
/// reached at loopback, 127.0.0.1, as <c>localhost</c> is.
/// </summary>
/// <param name="Reach">The URL as this machine reaches it: a wildcard or <c>localhost</c> becomes 127.0.0.1.</param>
/// <param name="Bound">The address bound: any for a wildcard, loopback for <c>localhost</c>, null for another host name.</param>
/// <param name="EveryAddress">A wildcard: it listens on every address, so other machines can reach it.</param>
public readonly record struct ListenUrl(Uri Reach, IPAddress? Bound, bool EveryAddress)
{
    /// <summary>On loopback only (localhost, 127.0.0.0/8, [::1]): no other machine can reach it.</summary>
    public bool IsLoopbackOnly => !EveryAddress && Bound is { } address && IPAddress.IsLoopback(address);

    public static bool TryParse(string url, out ListenUrl listen)
    {
        listen = default;
        // "*" and "+" are Kestrel's wildcards, not host names a Uri accepts.
        if (!Uri.TryCreate(url.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal),
                UriKind.Absolute, out var uri))
        {
            return false;
        }
        var host = uri.Host.Trim('[', ']');
        var localhost = host.Equals("localhost", StringComparison.OrdinalIgnoreCase);
        var bound = localhost ? IPAddress.Loopback : IPAddress.TryParse(host, out var parsed) ? parsed : null;
        var everyAddress = bound is not null && (bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any));
        listen = new ListenUrl(everyAddress || localhost ? new UriBuilder(uri) { Host = "127.0.0.1" }.Uri : uri, bound, everyAddress);
        return true;
    }
}
