using System.Net;
using System.Net.Sockets;

namespace ConvertroFunctions.IntegrationTests.Infrastructure;

/// <summary>
/// A loopback TCP proxy in front of one endpoint (Azurite's Table service), so a test can take that
/// dependency away alone, as a network outage does: <see cref="Break"/> drops every open connection
/// and refuses new ones; <see cref="Restore"/> listens again on the same port.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly int _target;
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource _stop = new();

    private TcpProxy(int target)
    {
        _target = target;
    }

    public int Port { get; private set; }

    public bool Broken => _listener is null;

    public static TcpProxy Start(int targetPort)
    {
        var proxy = new TcpProxy(targetPort);
        proxy.Listen(0);
        return proxy;
    }

    /// <summary>The outage starts: open connections are cut, new ones refused.</summary>
    public void Break()
    {
        _stop.Cancel();
        _listener?.Stop();
        _listener = null;
        lock (_open)
        {
            foreach (var client in _open)
            {
                Reset(client);
            }
            _open.Clear();
        }
    }

    /// <summary>The outage ends: the same port answers again.</summary>
    public void Restore()
    {
        _stop = new CancellationTokenSource();
        Listen(Port);
    }

    public ValueTask DisposeAsync()
    {
        Break();
        return ValueTask.CompletedTask;
    }

    private void Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _listener = listener;
        var stop = _stop.Token;
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient inbound;
                try
                {
                    inbound = await listener.AcceptTcpClientAsync(stop);
                }
                catch (Exception) when (stop.IsCancellationRequested || listener.Server is not { IsBound: true })
                {
                    return;
                }
                _ = PipeAsync(inbound, stop);
            }
        }, CancellationToken.None);
    }

    private async Task PipeAsync(TcpClient inbound, CancellationToken stop)
    {
        var outbound = new TcpClient();
        lock (_open)
        {
            _open.Add(inbound);
            _open.Add(outbound);
        }
        try
        {
            await outbound.ConnectAsync(IPAddress.Loopback, _target, stop);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var up = inbound.GetStream().CopyToAsync(outbound.GetStream(), linked.Token);
            var down = outbound.GetStream().CopyToAsync(inbound.GetStream(), linked.Token);
            await Task.WhenAny(up, down);
            await linked.CancelAsync();
        }
        catch (Exception)
        {
            // A cut connection: what the client sees is the point.
        }
        finally
        {
            // Removed and closed under the lock Break holds, so Break never meets a closed client.
            lock (_open)
            {
                _open.Remove(inbound);
                _open.Remove(outbound);
                inbound.Dispose();
                outbound.Dispose();
            }
        }
    }

    private static void Reset(TcpClient client)
    {
        if (client.Client is { } socket)
        {
            socket.LingerState = new LingerOption(true, 0); // a reset, as a dead network gives
        }
        client.Dispose();
    }
}
