using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ConvertroFunctions.Infra.Tests;

/// <summary>The files azd reads (azure.yaml, main.parameters.json) agree with the template, and it lints clean.</summary>
public sealed partial class AzdTests(CompiledTemplate template) : IClassFixture<CompiledTemplate>
{
    [Fact]
    public void Lint_MainBicep_ReportsNoDiagnosticAtAll()
    {
        var (exitCode, output) = Bicep.Run("lint", "main.bicep");

        Assert.True(exitCode == 0 && output.Trim().Length == 0, $"bicep lint reported:\n{output}");
    }

    [Fact]
    public void ParametersFile_EveryParameter_ExistsInTheTemplateAndCoversEveryRequiredOne()
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(Bicep.InfraDirectory, "main.parameters.json")))!;
        var given = file["parameters"]!.AsObject().Select(p => p.Key).ToHashSet();
        var declared = template.Main["parameters"]!.AsObject();

        Assert.All(given, name => Assert.True(declared.ContainsKey(name), $"main.parameters.json sets unknown parameter '{name}'."));
        var required = declared.Where(p => p.Value!["defaultValue"] is null).Select(p => p.Key);
        Assert.All(required, name => Assert.Contains(name, given));
        Assert.Equal("${AZURE_ENV_NAME}", (string?)file["parameters"]!["environmentName"]!["value"]);
    }

    [Fact]
    public void AzureYaml_ApiService_IsTheFunctionsProjectHostedAsAFunction()
    {
        var yaml = File.ReadAllText(Path.Combine(Bicep.InfraDirectory, "azure.yaml"));

        var api = ApiService().Match(yaml);
        Assert.True(api.Success, "azure.yaml has no services.api block.");
        var block = api.Groups["body"].Value;
        Assert.Matches(@"language:\s*dotnet", block);
        Assert.Matches(@"host:\s*function", block);
        var project = Regex.Match(block, @"project:\s*(\S+)").Groups[1].Value;
        var projectFile = Path.Combine(Bicep.InfraDirectory, project, "ConvertroFunctions.csproj");
        Assert.True(File.Exists(projectFile), $"services.api.project does not point at the Functions project: {projectFile}");
        Assert.Matches(@"infra:\s*\n\s+provider:\s*bicep", yaml);
    }

    [GeneratedRegex(@"services:\s*\n\s+api:\s*\n(?<body>(?:\s{4,}.+\n?)+)")]
    private static partial Regex ApiService();
}
