using System.Text.Json.Nodes;

namespace ConvertroFunctions.Infra.Tests;

/// <summary>The compiled ARM template says what the product needs in Azure.</summary>
public sealed class TemplateTests(CompiledTemplate template) : IClassFixture<CompiledTemplate>
{
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    [Fact]
    public void StorageAccount_Compiled_HasSharedKeysOffTls12AndNoPublicBlobs()
    {
        var properties = template.Single("storage", "Microsoft.Storage/storageAccounts")["properties"]!;

        Assert.False((bool)properties["allowSharedKeyAccess"]!);
        Assert.False((bool)properties["allowBlobPublicAccess"]!);
        Assert.Equal("TLS1_2", (string?)properties["minimumTlsVersion"]);
        Assert.True((bool)properties["supportsHttpsTrafficOnly"]!);
    }

    [Theory]
    [InlineData("Microsoft.Storage/storageAccounts/queueServices/queues", "segment-events,segment-events-poison")]
    [InlineData("Microsoft.Storage/storageAccounts/tableServices/tables", "Workspaces,DeadLetters")]
    public void StorageAccount_Compiled_CreatesTheContractsQueuesAndTables(string type, string names)
    {
        var resource = template.Single("storage", type);

        // A copy loop over a literal array: createArray('a', 'b')[copyIndex()].
        var loop = (string)resource["copy"]!["count"]!;
        var expected = string.Join(", ", names.Split(',').Select(n => $"'{n}'"));
        Assert.Contains($"createArray({expected})", loop);
    }

    [Fact]
    public void StorageAccount_Compiled_HasTheDeploymentContainer()
    {
        var container = template.Single("storage", "Microsoft.Storage/storageAccounts/blobServices/containers");
        var site = template.Single("functionapp", "Microsoft.Web/sites");

        Assert.Contains("parameters('deploymentContainerName')", (string)container["name"]!);
        var deployment = site["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!;
        Assert.Equal("blobContainer", (string?)deployment["type"]);
        Assert.Contains("parameters('deploymentContainerName')", (string)deployment["value"]!);
        Assert.Equal("UserAssignedIdentity", (string?)deployment["authentication"]!["type"]);
    }

    [Fact]
    public void FunctionApp_Compiled_RunsDotnetIsolated10OnFlexConsumption()
    {
        var plan = template.Single("functionapp", "Microsoft.Web/serverfarms");
        var site = template.Single("functionapp", "Microsoft.Web/sites");
        var config = site["properties"]!["functionAppConfig"]!;

        Assert.Equal("FlexConsumption", (string?)plan["sku"]!["tier"]);
        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
        Assert.True((bool)plan["properties"]!["reserved"]!);
        Assert.Equal("functionapp,linux", (string?)site["kind"]);
        Assert.Equal("dotnet-isolated", (string?)config["runtime"]!["name"]);
        Assert.Equal("10.0", (string?)config["runtime"]!["version"]);
        Assert.Equal("[parameters('maximumInstanceCount')]", (string?)config["scaleAndConcurrency"]!["maximumInstanceCount"]);
        Assert.Equal("[parameters('instanceMemoryMB')]", (string?)config["scaleAndConcurrency"]!["instanceMemoryMB"]);
        // azd finds the app it deploys the api service to by this tag.
        Assert.Contains("createObject('azd-service-name', 'api')", (string)site["tags"]!);
        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
    }

    [Fact]
    public void AppSettings_Compiled_UseTheIdentityForStorageAndTelemetry()
    {
        var settings = AppSettings();

        Assert.Equal("managedidentity", (string?)settings["AzureWebJobsStorage__credential"]);
        Assert.Equal("[parameters('identityClientId')]", (string?)settings["AzureWebJobsStorage__clientId"]);
        foreach (var service in new[] { "blob", "queue", "table" })
        {
            Assert.Equal($"[parameters('storage{char.ToUpperInvariant(service[0])}{service[1..]}Endpoint')]",
                (string?)settings[$"AzureWebJobsStorage__{service}ServiceUri"]);
        }

        // Identity-based storage uses the service URIs only; a plain connection string would need a key.
        Assert.False(settings.ContainsKey("AzureWebJobsStorage"));
        Assert.False(settings.ContainsKey("AzureWebJobsStorage__accountName"));
        Assert.Contains("Authorization=AAD", (string)settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]!);
    }

    [Fact]
    public void AppSettings_Compiled_CarryTheConvertroSettingsFromParameters()
    {
        var settings = AppSettings();

        Assert.Equal("[parameters('convertroBaseUrl')]", (string?)settings["Convertro__BaseUrl"]);
        Assert.Equal("[string(parameters('convertroTimeoutSeconds'))]", (string?)settings["Convertro__TimeoutSeconds"]);
        Assert.Equal("[parameters('retryDelays')]", (string?)settings["Delivery__RetryDelays"]);
        Assert.Equal("true", (string?)settings["Ingest__RequireSignature"]);
        // Flex Consumption takes the runtime from functionAppConfig and rejects these.
        Assert.False(settings.ContainsKey("FUNCTIONS_WORKER_RUNTIME"));
        Assert.False(settings.ContainsKey("FUNCTIONS_EXTENSION_VERSION"));
    }

    [Fact]
    public void RoleAssignments_Compiled_GrantEachRoleTheAppNeeds()
    {
        var assignments = CompiledTemplate.Resources(template.Modules["roles"])
            .Where(r => (string?)r["type"] == "Microsoft.Authorization/roleAssignments").ToList();
        var storageRoles = template.Variable("roles", "storageRoles").AsArray().Select(r => (string)r!).ToList();

        Assert.Equal([BlobDataOwner, QueueDataContributor, TableDataContributor], storageRoles);
        Assert.Equal(MonitoringMetricsPublisher, (string?)template.Variable("roles", "monitoringMetricsPublisher"));
        Assert.Equal(2, assignments.Count);
        var storage = Assert.Single(assignments, a => a["copy"] is not null);
        var telemetry = Assert.Single(assignments, a => a["copy"] is null);
        Assert.Equal("[length(variables('storageRoles'))]", (string?)storage["copy"]!["count"]);
        Assert.Contains("variables('storageRoles')[copyIndex()]", (string)storage["properties"]!["roleDefinitionId"]!);
        Assert.Contains("Microsoft.Storage/storageAccounts", (string)storage["scope"]!);
        Assert.Contains("variables('monitoringMetricsPublisher')", (string)telemetry["properties"]!["roleDefinitionId"]!);
        Assert.Contains("Microsoft.Insights/components", (string)telemetry["scope"]!);
        Assert.All(assignments, a =>
        {
            Assert.Equal("[parameters('principalId')]", (string?)a["properties"]!["principalId"]);
            Assert.Equal("ServicePrincipal", (string?)a["properties"]!["principalType"]);
        });
    }

    [Fact]
    public void Monitoring_Compiled_HasLocalAuthDisabled()
    {
        var appInsights = template.Single("monitoring", "Microsoft.Insights/components");

        Assert.True((bool)appInsights["properties"]!["DisableLocalAuth"]!);
        Assert.Contains("Microsoft.OperationalInsights/workspaces", (string)appInsights["properties"]!["WorkspaceResourceId"]!);
    }

    [Fact]
    public void Outputs_Compiled_NameTheAppItsUrlAndStorageAndHoldNoSecrets()
    {
        var outputs = template.Main["outputs"]!.AsObject();

        Assert.Equal(
            ["AZURE_FUNCTION_APP_NAME", "AZURE_FUNCTION_APP_URL", "AZURE_STORAGE_ACCOUNT_NAME", "SEGMENT_WEBHOOK_URL_TEMPLATE"],
            outputs.Select(o => o.Key).Order());
        Assert.StartsWith("[format('https://{0}'", (string)outputs["AZURE_FUNCTION_APP_URL"]!["value"]!);
        foreach (var t in template.AllTemplates)
        {
            foreach (var (name, output) in t["outputs"]?.AsObject() ?? [])
            {
                var text = output!.ToJsonString();
                Assert.DoesNotContain("listKeys", text);
                Assert.DoesNotContain("ConnectionString", text, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("secure", (string)output["type"]!, StringComparison.OrdinalIgnoreCase);
                Assert.False(name.Contains("key", StringComparison.OrdinalIgnoreCase) && !name.Contains("TEMPLATE"), name);
            }
        }
    }

    [Fact]
    public void Template_Compiled_NeverReadsAStorageKey()
    {
        foreach (var t in template.AllTemplates)
        {
            var text = t.ToJsonString();
            Assert.DoesNotContain("listKeys", text);
            Assert.DoesNotContain("AccountKey", text);
        }
    }

    private JsonObject AppSettings() =>
        template.Single("functionapp", "Microsoft.Web/sites/config")["properties"]!.AsObject();
}
