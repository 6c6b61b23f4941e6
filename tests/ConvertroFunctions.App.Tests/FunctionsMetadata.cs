using System.Reflection;
using System.Text.Json;

namespace ConvertroFunctions.App.Tests;

/// <summary>An HTTP function as the Functions host sees it. Methods upper-case and sorted, level lower-case.</summary>
public sealed record HttpFunctionShape(string Function, string Route, string Methods, string AuthLevel);

/// <summary>A queue-triggered function as the Functions host sees it.</summary>
public sealed record QueueFunctionShape(string Function, string Queue);

/// <summary>A timer-triggered function as the Functions host sees it.</summary>
public sealed record TimerFunctionShape(string Function, string Schedule);

/// <summary>
/// The <c>functions.metadata</c> the Worker SDK generated when this build built src/ConvertroFunctions:
/// what the Functions host indexes (every function, its trigger, route, methods, key level, queue).
/// Read from that project's output directory, which the test project records at build time.
/// </summary>
public sealed class FunctionsMetadata
{
    private const string OutputDirectoryKey = "FunctionsAppOutputDirectory";

    private FunctionsMetadata(string outputDirectory, JsonElement functions)
    {
        OutputDirectory = outputDirectory;
        var http = new List<HttpFunctionShape>();
        var queue = new List<QueueFunctionShape>();
        var timer = new List<TimerFunctionShape>();
        var names = new List<string>();
        var entryPoints = new Dictionary<string, string>();
        foreach (var function in functions.EnumerateArray())
        {
            var name = function.GetProperty("name").GetString()!;
            names.Add(name);
            entryPoints[name] = function.GetProperty("entryPoint").GetString()!;
            var triggers = function.GetProperty("bindings").EnumerateArray()
                .Where(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal))
                .ToList();
            Assert.True(triggers.Count == 1, $"{name} has {triggers.Count} trigger bindings in functions.metadata; expected one.");
            var trigger = triggers[0];
            switch (trigger.GetProperty("type").GetString())
            {
                case "httpTrigger":
                    http.Add(new HttpFunctionShape(
                        name,
                        trigger.GetProperty("route").GetString()!,
                        Methods(trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!)),
                        trigger.GetProperty("authLevel").GetString()!.ToLowerInvariant()));
                    break;
                case "queueTrigger":
                    queue.Add(new QueueFunctionShape(name, trigger.GetProperty("queueName").GetString()!));
                    break;
                case "timerTrigger":
                    timer.Add(new TimerFunctionShape(name, trigger.GetProperty("schedule").GetString()!));
                    break;
                default:
                    Assert.Fail($"{name} has a {trigger.GetProperty("type").GetString()} trigger, which the route table cannot describe.");
                    break;
            }
        }
        Names = [.. names.Order(StringComparer.Ordinal)];
        HttpFunctions = [.. http.OrderBy(f => f.Function, StringComparer.Ordinal)];
        QueueFunctions = [.. queue.OrderBy(f => f.Function, StringComparer.Ordinal)];
        TimerFunctions = [.. timer.OrderBy(f => f.Function, StringComparer.Ordinal)];
        EntryPoints = entryPoints;
    }

    /// <summary>src/ConvertroFunctions's build output (bin/&lt;configuration&gt;/net10.0/ unless the build said otherwise).</summary>
    public string OutputDirectory { get; }

    public IReadOnlyList<string> Names { get; }

    public IReadOnlyList<HttpFunctionShape> HttpFunctions { get; }

    public IReadOnlyList<QueueFunctionShape> QueueFunctions { get; }

    public IReadOnlyList<TimerFunctionShape> TimerFunctions { get; }

    /// <summary>Function name → <c>Namespace.Type.Method</c> the host invokes.</summary>
    public IReadOnlyDictionary<string, string> EntryPoints { get; }

    public static string Methods(IEnumerable<string> methods) =>
        string.Join(",", methods.Select(m => m.ToUpperInvariant()).Order(StringComparer.Ordinal));

    /// <summary>Loads it, failing (never skipping) with the path it looked at when it is missing.</summary>
    public static FunctionsMetadata Load()
    {
        var directory = typeof(FunctionsMetadata).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == OutputDirectoryKey)?.Value;
        if (string.IsNullOrEmpty(directory))
        {
            Assert.Fail($"The test assembly does not record src/ConvertroFunctions's output directory (assembly metadata " +
                $"'{OutputDirectoryKey}', written by the RecordFunctionsAppOutputDirectory target of the test project).");
        }
        var path = Path.Combine(directory, "functions.metadata");
        if (!File.Exists(path))
        {
            Assert.Fail($"{path} does not exist. The Azure Functions Worker SDK writes it when it builds src/ConvertroFunctions; " +
                "this test project references that project, so building the tests must have built it. Was the build interrupted, " +
                "or the Worker SDK's metadata generation turned off?");
        }
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        Assert.True(document.RootElement.ValueKind == JsonValueKind.Array && document.RootElement.GetArrayLength() > 0,
            $"{path} lists no functions.");
        return new FunctionsMetadata(directory, document.RootElement.Clone());
    }
}
