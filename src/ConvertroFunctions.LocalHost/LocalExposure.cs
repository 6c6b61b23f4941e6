namespace ConvertroFunctions.LocalHost;

/// <summary>
/// Who can reach LocalHost (docs/operations.md, "Security"). It checks no function keys (as
/// <c>func start</c>), so it listens on loopback only unless started with <c>--public</c>, which it
/// warns about; and on loopback it answers only requests addressed to its loopback names
/// (<c>AllowedHosts</c>), so a web page whose name is made to resolve to 127.0.0.1 (DNS rebinding)
/// cannot drive it from a browser.
/// </summary>
public static class LocalExposure
{
    /// <summary>The host names a loopback LocalHost answers to (ASP.NET Core's host filtering).</summary>
    public const string LoopbackHosts = "localhost;127.0.0.1;[::1]";

    /// <exception cref="LocalHostStartException">A non-loopback address without <c>--public</c>.</exception>
    public static void Apply(IConfiguration configuration, string urls, bool exposed, Action<string> log)
    {
        var open = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(u => !(ListenUrl.TryParse(u, out var listen) && listen.IsLoopbackOnly)).ToList();
        if (open.Count == 0)
        {
            if (string.IsNullOrEmpty(configuration["AllowedHosts"]))
            {
                configuration["AllowedHosts"] = LoopbackHosts;
            }
            return;
        }
        if (!exposed)
        {
            throw new LocalHostStartException(
                $"LocalHost would listen on {string.Join(", ", open)}, which other machines can reach, and it checks no key: every admin " +
                $"route would be open to them. Listen on 127.0.0.1 (the default), or add {LocalHostApp.PublicSwitch} if that is what you want.");
        }
        log($"WARNING: listening on {string.Join(", ", open)} ({LocalHostApp.PublicSwitch}): anyone who can reach it can read and change every " +
            "workspace and dead letter; LocalHost's admin routes need no key. Set AllowedHosts to the names it is reached by.");
    }
}
