namespace ConvertroFunctions.BrowserTests;

/// <summary>
/// Where the browser is: CHROMIUM_PATH, else Debian's /usr/bin/chromium. Playwright's own browser
/// download cannot work offline and is never used; a missing browser fails the test (never skips)
/// saying which script installs it.
/// </summary>
public static class Chromium
{
    public const string DefaultPath = "/usr/bin/chromium";
    public const string PathVariable = "CHROMIUM_PATH";
    public const string InstallScript = "tools/chromium/ensure-chromium.sh";

    /// <summary>
    /// Flags for this machine's closed network: no sandbox (root, containers), no GPU, and none of
    /// Chromium's own background connections (updates, sync, QUIC), which are refused here.
    /// Playwright gives each launch a fresh user data directory.
    /// </summary>
    public static readonly string[] Flags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    public static string Path()
    {
        var configured = Environment.GetEnvironmentVariable(PathVariable);
        var path = string.IsNullOrWhiteSpace(configured) ? DefaultPath : configured;
        if (!File.Exists(path))
        {
            Assert.Fail(
                $"No Chromium at {path}{(string.IsNullOrWhiteSpace(configured) ? $" (set {PathVariable} to use another)" : $" ({PathVariable})")}. " +
                $"The console's browser tests need a real headless Chromium: run `bash {InstallScript}` from the repository root " +
                "(as root it installs Debian's chromium with apt-get; otherwise it prints the command to run).");
        }
        return path;
    }
}
