namespace ConvertroFunctions.App.Tests;

/// <summary>
/// Keeps the Azure Monitor exporter's own traffic on this machine. Besides what it is given to
/// export, the exporter counts its own use (Statsbeat, reported to Microsoft's endpoints) and, to
/// label those counts, asks the Azure instance metadata endpoint (169.254.169.254) what VM it runs
/// on unless the environment says it is in Functions or App Service. The Functions host starts the
/// worker with FUNCTIONS_WORKER_RUNTIME set, so the tests set it too, and switch Statsbeat off with
/// the variable the exporter reads. The exported telemetry itself goes only to the loopback
/// address in each test's connection string. (Verified with strace: every connect() of the test
/// run is to 127.0.0.1.)
/// </summary>
internal static class AzureMonitorExporterInTests
{
    public static void StayOnThisMachine()
    {
        Environment.SetEnvironmentVariable("FUNCTIONS_WORKER_RUNTIME", "dotnet-isolated");
        Environment.SetEnvironmentVariable("APPLICATIONINSIGHTS_STATSBEAT_DISABLED", "true");
    }
}

/// <summary>
/// OpenTelemetry's meter provider listens to every meter of a name in the process, whichever
/// service provider's IMeterFactory created it: two tests recording ConvertroFunctions metrics at
/// once would count each other's. The tests that read exported metrics run alone, one at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeterListenerCollection
{
    public const string Name = "ConvertroFunctions meter listeners";
}
