using System.Diagnostics;
using System.Xml.Linq;
using Microsoft.Azure.WebJobs;

namespace ConvertroFunctions.App.Tests;

/// <summary>
/// LocalHost runs the queue listener the Functions host loads for this app: the WebJobs Storage
/// Queues extension the Worker SDK's build asks for (its generated WorkerExtensions.csproj) and ships
/// in .azurefunctions/. Both must ask for the same version and resolve the same one
/// (docs/architecture.md, "Two hosts").
/// </summary>
public sealed class QueueExtensionVersionTests
{
    private const string Package = "Microsoft.Azure.WebJobs.Extensions.Storage.Queues";

    [Fact]
    public void QueueExtension_AskedForByTheWorkerSdkAndByLocalHost_IsTheSameVersion()
    {
        var output = FunctionsMetadata.Load().OutputDirectory;
        var workerExtensions = Path.Combine(output.Replace($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", $"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal),
            "WorkerExtensions", "WorkerExtensions.csproj");
        Assert.True(File.Exists(workerExtensions), $"the Worker SDK's generated project is not at {workerExtensions}");

        var askedByWorkerSdk = VersionOf(XDocument.Load(workerExtensions), "PackageReference");
        var askedByLocalHost = VersionOf(XDocument.Load(Path.Combine(RepoRoot(output), "Directory.Packages.props")), "PackageVersion");

        Assert.Equal(askedByWorkerSdk, askedByLocalHost);
    }

    [Fact]
    public void QueueExtension_ShippedToTheHostAndLoadedByLocalHost_IsTheSameBuild()
    {
        var shipped = Path.Combine(FunctionsMetadata.Load().OutputDirectory, ".azurefunctions", Package + ".dll");
        Assert.True(File.Exists(shipped), $"the app's build did not ship {shipped}");
        var loaded = typeof(QueueTriggerAttribute).Assembly.Location;

        Assert.Equal(Path.GetFileName(shipped), Path.GetFileName(loaded));
        Assert.Equal(FileVersionInfo.GetVersionInfo(shipped).ProductVersion, FileVersionInfo.GetVersionInfo(loaded).ProductVersion);
    }

    private static string VersionOf(XDocument project, string item) =>
        project.Descendants(item).Single(e => (string?)e.Attribute("Include") == Package).Attribute("Version")!.Value;

    private static string RepoRoot(string from)
    {
        for (var dir = new DirectoryInfo(from); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Directory.Packages.props above {from}.");
    }
}
