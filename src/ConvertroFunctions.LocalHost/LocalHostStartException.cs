using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.LocalHost;

/// <summary>
/// LocalHost could not start for a reason the user can fix; the message says what and how, and
/// Program.cs prints it without a stack trace and exits with 1.
/// </summary>
public sealed class LocalHostStartException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>
    /// Checks, before anything starts, that every port LocalHost is asked to listen on is free, so
    /// a second LocalHost says which port is taken instead of failing half-started.
    /// </summary>
    public static void ThrowIfPortsTaken(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!ListenUrl.TryParse(url, out var listen) || listen.Reach.Port == 0 || listen.Bound is not { } address)
            {
                continue;
            }
            var probe = new TcpListener(address, listen.Reach.Port);
            try
            {
                probe.Start();
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                throw PortInUse(url, listen.Reach.Port, ex);
            }
            finally
            {
                probe.Stop();
            }
        }
    }

    private static LocalHostStartException PortInUse(string url, int port, Exception inner) => new(
        $"Port {port} is already in use, so LocalHost cannot listen on {url} (another LocalHost, `func start`, or another " +
        $"program holds it). Stop that program, or pick another port: " +
        $"dotnet run --project src/ConvertroFunctions.LocalHost -- --urls http://127.0.0.1:{(port == 7081 ? 7091 : 7081)}",
        inner);

    /// <returns>null when <paramref name="exception"/> is not one the user can fix from its message.</returns>
    public static LocalHostStartException? From(Exception exception, string urls)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } or Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                return PortInUse(urls, Uri.TryCreate(urls.Split(';')[0], UriKind.Absolute, out var uri) ? uri.Port : 0, exception);
            }
            if (e is OptionsValidationException validation)
            {
                return new LocalHostStartException($"A setting is invalid: {string.Join(" ", validation.Failures)}", exception);
            }
            // The configuration binder's own message names the setting and the type it wanted.
            if (e is InvalidOperationException && e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
            {
                return new LocalHostStartException($"A setting is invalid: {e.Message}", exception);
            }
        }
        return null;
    }
}
