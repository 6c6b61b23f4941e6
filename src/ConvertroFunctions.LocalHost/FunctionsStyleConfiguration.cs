using System.Text.Json;
using ConvertroFunctions.LocalHost.Azurite;
using Microsoft.Extensions.Configuration.Memory;

namespace ConvertroFunctions.LocalHost;

/// <summary>
/// Configuration the way the Functions host and <c>func start</c> see it: host.json under
/// <c>AzureFunctionsJobHost</c>, and local.settings.json <c>Values</c>, both below environment
/// variables and the command line (func start, too, skips a Value the environment already sets).
/// </summary>
public static class FunctionsStyleConfiguration
{
    public const string LocalSettingsFile = "local.settings.json";

    public static void AddTo(ConfigurationManager configuration, Action<string> log)
    {
        var values = new List<KeyValuePair<string, string?>>();
        var hostJson = Path.Combine(AppContext.BaseDirectory, "host.json");
        if (File.Exists(hostJson))
        {
            var host = new ConfigurationBuilder().AddJsonFile(hostJson).Build();
            values.AddRange(host.AsEnumerable()
                .Where(kv => kv.Value is not null)
                .Select(kv => new KeyValuePair<string, string?>("AzureFunctionsJobHost:" + kv.Key, kv.Value)));
        }
        if (FindLocalSettings() is { } localSettings)
        {
            log($"Reading Values from {localSettings}");
            values.AddRange(ReadValues(localSettings));
        }
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = values });
    }

    /// <summary>The repo root's local.settings.json, else the Functions project's, else the current folder's.</summary>
    private static string? FindLocalSettings()
    {
        var candidates = new List<string>();
        try
        {
            var root = RepoPaths.FindRoot();
            candidates.Add(Path.Combine(root, LocalSettingsFile));
            candidates.Add(Path.Combine(root, "src", "ConvertroFunctions", LocalSettingsFile));
        }
        catch (InvalidOperationException)
        {
            // Not run from the repository: only the current folder counts.
        }
        candidates.Add(Path.Combine(Directory.GetCurrentDirectory(), LocalSettingsFile));
        return candidates.FirstOrDefault(File.Exists);
    }

    internal static IEnumerable<KeyValuePair<string, string?>> ReadValues(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = document.RootElement;
        if (root.TryGetProperty("IsEncrypted", out var encrypted) && encrypted.ValueKind == JsonValueKind.True)
        {
            throw new InvalidOperationException($"{path} is encrypted (IsEncrypted: true); LocalHost reads only plain settings.");
        }
        if (!root.TryGetProperty("Values", out var settings) || settings.ValueKind != JsonValueKind.Object)
        {
            return [];
        }
        return settings.EnumerateObject()
            .Select(p => new KeyValuePair<string, string?>(
                p.Name.Replace("__", ":", StringComparison.Ordinal),
                p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText()))
            .ToList();
    }
}
