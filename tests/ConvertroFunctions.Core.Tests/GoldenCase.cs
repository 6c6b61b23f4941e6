using System.Text.Json;
using System.Text.Json.Nodes;
using ConvertroFunctions.Core.Workspaces;

namespace ConvertroFunctions.Core.Tests;

/// <summary>
/// One golden file: a Segment event in, and either the exact Convertro requests out or the skip
/// reason. Settings are Golden/_settings.json with the case's "settings" laid over it.
/// </summary>
public sealed class GoldenCase
{
    public static readonly DateTimeOffset ReceivedAt = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Golden");

    private GoldenCase(string name, JsonDocument document)
    {
        Name = name;
        Document = document;
    }

    public string Name { get; }

    public JsonDocument Document { get; }

    public JsonElement Event => Document.RootElement.GetProperty("event");

    public string? ExpectedSkipCode =>
        Document.RootElement.TryGetProperty("skip", out var skip) ? skip.GetString() : null;

    /// <summary>The exact request lines: method and full URL with its query.</summary>
    public IEnumerable<(string Method, string Url)> ExpectedRequests =>
        Document.RootElement.GetProperty("requests").EnumerateArray()
            .Select(r => (r.GetProperty("method").GetString()!, r.GetProperty("url").GetString()!));

    public static IEnumerable<object[]> All() =>
        Directory.GetFiles(Folder, "*.json")
            .Where(f => !Path.GetFileName(f).StartsWith('_'))
            .Select(f => new object[] { Path.GetFileNameWithoutExtension(f) })
            .OrderBy(n => (string)n[0], StringComparer.Ordinal);

    public static GoldenCase Load(string name) =>
        new(name, JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, name + ".json"))));

    public WorkspaceSettings Settings()
    {
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "_settings.json")))!.AsObject();
        if (Document.RootElement.TryGetProperty("settings", out var overrides))
        {
            foreach (var property in overrides.EnumerateObject())
            {
                settings[property.Name] = JsonNode.Parse(property.Value.GetRawText());
            }
        }
        using var merged = JsonDocument.Parse(settings.ToJsonString());
        var result = WorkspaceSettingsParser.Parse("golden", merged.RootElement, null, ReceivedAt, AllowedDomainsTests.ConvertroOnly);
        Assert.True(result.Settings is not null, $"{Name}: settings invalid: {JsonSerializer.Serialize(result.Errors)}");
        return result.Settings!;
    }
}
