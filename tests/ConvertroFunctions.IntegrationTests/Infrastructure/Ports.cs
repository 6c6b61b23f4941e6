using System.Net;
using System.Net.Sockets;

namespace ConvertroFunctions.IntegrationTests.Infrastructure;

/// <summary>Loopback ports: is something listening, and one where nothing does.</summary>
public static class Ports
{
    public static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static int Closed() => LocalHostProcess.FreePort();
}
