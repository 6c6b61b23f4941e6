using System.Text.Json.Nodes;

namespace ConvertroFunctions.Infra.Tests;

/// <summary>
/// infra/main.bicep compiled once, with its modules flattened: each module is an inline nested
/// deployment whose template holds that module's resources.
/// </summary>
public sealed class CompiledTemplate
{
    public CompiledTemplate()
    {
        Main = Bicep.Build("main.bicep");
        Modules = Resources(Main)
            .Where(r => (string?)r["type"] == "Microsoft.Resources/deployments")
            .ToDictionary(r => (string)r["name"]!, r => r["properties"]!["template"]!.AsObject());
    }

    public JsonObject Main { get; }

    /// <summary>Module templates by deployment name (identity, storage, monitoring, roles, functionapp).</summary>
    public IReadOnlyDictionary<string, JsonObject> Modules { get; }

    public IEnumerable<JsonObject> AllTemplates => Modules.Values.Prepend(Main);

    public JsonObject Single(string module, string type) =>
        Assert.Single(Resources(Modules[module]), r => (string?)r["type"] == type);

    public static IEnumerable<JsonObject> Resources(JsonObject template) =>
        template["resources"] switch
        {
            JsonArray array => array.Select(r => r!.AsObject()),
            JsonObject symbolic => symbolic.Select(p => p.Value!.AsObject()),
            _ => [],
        };

    /// <summary>The module's variable value (a literal in the compiled template).</summary>
    public JsonNode Variable(string module, string name) => Modules[module]["variables"]![name]!;
}
