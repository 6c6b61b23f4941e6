using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConvertroFunctions.Core.Monitoring;

namespace ConvertroFunctions.Infra.Tests;

/// <summary>
/// The alerts (infra/modules/alerts.bicep) in the compiled template: an action group whose e-mail
/// receivers come from a parameter; one log alert rule per signal, each reading its metric from
/// customMetrics (or the requests table) with its threshold a main.bicep parameter with the
/// documented default; the health availability test and its alert; the console's banner settings
/// taken from the same parameters; and docs/operations.md naming exactly these rules.
/// </summary>
public sealed partial class AlertTests(CompiledTemplate template) : IClassFixture<CompiledTemplate>
{
    private const string Module = "alerts";
    private const string ActionGroupId = "[resourceId('Microsoft.Insights/actionGroups', format('{0}-operators', parameters('namePrefix')))]";
    private const string AppInsightsId = "[resourceId('Microsoft.Insights/components', parameters('appInsightsName'))]";

    [Fact]
    public void ActionGroup_Compiled_IsGlobalWithOneEmailReceiverPerAddressOfTheParameter()
    {
        var group = template.Single(Module, "Microsoft.Insights/actionGroups");
        var properties = group["properties"]!;

        Assert.Equal("global", (string?)group["location"]);
        Assert.True((bool)properties["enabled"]!);
        Assert.InRange(((string)properties["groupShortName"]!).Length, 1, 12);
        var receivers = Assert.Single(properties["copy"]!.AsArray())!;
        Assert.Equal("emailReceivers", (string?)receivers["name"]);
        Assert.Equal("[length(parameters('alertEmails'))]", (string?)receivers["count"]);
        Assert.Equal("[parameters('alertEmails')[copyIndex('emailReceivers')]]", (string?)receivers["input"]!["emailAddress"]);
        // No receivers by default: the group exists, and docs/operations.md says to add them there.
        Assert.Equal(new JsonArray().ToJsonString(), template.Main["parameters"]!["alertEmails"]!["defaultValue"]!.ToJsonString());
        Assert.Equal("[parameters('alertEmails')]", ModuleParameter("alertEmails"));
    }

    [Theory]
    [InlineData("signature-rejections", "customMetrics", "name == \"convertro.ingest.signature_rejected\"", "signatureRejectionsThreshold", 0, "Total", "workspace")]
    [InlineData("dead-letters", "customMetrics", "name == \"convertro.events.dead_lettered\"", "deadLettersThreshold", 0, "Total", "workspace,reason")]
    [InlineData("delivery-lag", "customMetrics", "name == \"convertro.events.delivery_lag\"", "deliveryLagP95Minutes", 10, "Maximum", "workspace")]
    [InlineData("backlog-growing", "customMetrics", "name == \"convertro.queue.length\" and tostring(customDimensions.queue) == \"segment-events\"", "backlogGrowthThreshold", 0, "Maximum", "")]
    [InlineData("poison-queue", "customMetrics", "name == \"convertro.queue.length\" and tostring(customDimensions.queue) == \"segment-events-poison\"", "poisonMessagesThreshold", 0, "Minimum", "")]
    [InlineData("oldest-waiting-message", "customMetrics", "name == \"convertro.queue.oldest_message_age\" and tostring(customDimensions.queue) == \"segment-events\"", "oldestMessageMinutes", 30, "Maximum", "")]
    [InlineData("skipped-mix", "customMetrics", "name == \"convertro.events.skipped\"", "skippedShareIncreasePoints", 20, "Maximum", "workspace,reason")]
    [InlineData("function-failures", "requests", "success == false", "functionFailuresThreshold", 5, "Total", "function")]
    public void LogAlertRule_Compiled_ReadsItsSignalWithItsThresholdParameterAndDocumentedDefault(
        string rule, string table, string filter, string threshold, int defaultValue, string aggregation, string dimensions)
    {
        var entry = LogAlert(rule);
        var query = (string)entry["query"]!;

        Assert.Matches($@"(^|= ){table}\n", query);
        Assert.Contains($"| where {filter}", query, StringComparison.Ordinal);
        Assert.Equal($"[parameters('{threshold}')]", (string?)entry["threshold"]);
        Assert.Equal($"[parameters('{threshold}')]", ModuleParameter(threshold));
        Assert.Equal(defaultValue, (int)template.Main["parameters"]![threshold]!["defaultValue"]!);
        Assert.Equal(aggregation, (string?)entry["aggregation"]);
        Assert.Equal(dimensions, string.Join(',', entry["dimensions"]!.AsArray().Select(d => (string)d!)));
        // The measure and every dimension are columns the query makes.
        foreach (var column in entry["dimensions"]!.AsArray().Select(d => (string)d!).Prepend((string)entry["measure"]!))
        {
            Assert.Matches($@"\b{Regex.Escape(column)} = ", query);
        }
    }

    [Fact]
    public void LogAlertRules_Compiled_EachScopedToApplicationInsightsFiringTheActionGroupAndResolvingItself()
    {
        var rules = template.Single(Module, "Microsoft.Insights/scheduledQueryRules");
        var properties = rules["properties"]!;
        var condition = Assert.Single(properties["criteria"]!["allOf"]!.AsArray())!;

        Assert.Equal("[length(variables('logAlerts'))]", (string?)rules["copy"]!["count"]);
        Assert.Equal(8, LogAlerts().Count);
        Assert.Equal("LogAlert", (string?)rules["kind"]);
        Assert.Equal([AppInsightsId], properties["scopes"]!.AsArray().Select(s => (string)s!));
        Assert.Equal([ActionGroupId], properties["actions"]!["actionGroups"]!.AsArray().Select(s => (string)s!));
        Assert.True((bool)properties["autoMitigate"]!);
        Assert.True((bool)properties["enabled"]!);
        Assert.Equal("[variables('logAlerts')[copyIndex()].query]", (string?)condition["query"]);
        Assert.Equal("[variables('logAlerts')[copyIndex()].threshold]", (string?)condition["threshold"]);
        Assert.Equal("[variables('logAlerts')[copyIndex()].measure]", (string?)condition["metricMeasureColumn"]);
        Assert.Equal("GreaterThan", (string?)condition["operator"]);
        Assert.Equal("[length(variables('logAlerts')[copyIndex()].dimensions)]", (string?)condition["copy"]![0]!["count"]);
        Assert.All(LogAlerts(), a =>
        {
            Assert.Contains("docs/operations.md, \"Alert: ", (string)a["description"]!);
            Assert.InRange((int)a["severity"]!, 0, 4);
        });
    }

    [Fact]
    public void DeadLetterAlert_Compiled_ItsWindowIsTheParameterTheConsoleUses() =>
        Assert.Equal("[format('PT{0}M', parameters('deadLetterWindowMinutes'))]", (string?)LogAlert("dead-letters")["window"]);

    [Fact]
    public void HealthAlert_Compiled_AnAvailabilityTestOfApiHealthAndItsLocationAlert()
    {
        var test = template.Single(Module, "Microsoft.Insights/webtests");
        var alert = template.Single(Module, "Microsoft.Insights/metricAlerts");
        var criteria = alert["properties"]!["criteria"]!;

        Assert.Equal("standard", (string?)test["kind"]);
        Assert.Equal("[format('https://{0}/api/health', parameters('functionAppHostName'))]", (string?)test["properties"]!["Request"]!["RequestUrl"]);
        Assert.Equal(200, (int)test["properties"]!["ValidationRules"]!["ExpectedHttpStatusCode"]!);
        Assert.Equal(3, test["properties"]!["Locations"]!.AsArray().Count);
        Assert.Contains("hidden-link:", (string)test["tags"]!);
        Assert.Equal("Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria", (string?)criteria["odata.type"]);
        Assert.Equal(AppInsightsId, (string?)criteria["componentId"]);
        Assert.Contains("Microsoft.Insights/webtests", (string)criteria["webTestId"]!);
        Assert.Equal("[parameters('healthFailedLocations')]", (string?)criteria["failedLocationCount"]);
        Assert.Equal("[parameters('healthFailedLocations')]", ModuleParameter("healthFailedLocations"));
        Assert.Equal(2, (int)template.Main["parameters"]!["healthFailedLocations"]!["defaultValue"]!);
        Assert.Equal(ActionGroupId, (string?)alert["properties"]!["actions"]![0]!["actionGroupId"]);
        Assert.Equal("[reference(resourceId('Microsoft.Resources/deployments', 'functionapp'), '2025-04-01').outputs.defaultHostName.value]",
            ModuleParameter("functionAppHostName"));
    }

    [Theory]
    [InlineData("oldestMessageMinutes", nameof(MonitoringOptions.OldestMessageMinutes))]
    [InlineData("deadLetterWindowMinutes", nameof(MonitoringOptions.DeadLetterWindowMinutes))]
    [InlineData("deadLettersThreshold", nameof(MonitoringOptions.DeadLettersThreshold))]
    [InlineData("poisonMessagesThreshold", nameof(MonitoringOptions.PoisonMessagesThreshold))]
    public void ConsoleBanner_Compiled_ReadsTheAlertsParameterWhoseDefaultIsTheAppsDefault(string parameter, string option)
    {
        var settings = template.Single("functionapp", "Microsoft.Web/sites/config")["properties"]!;
        var functionApp = CompiledTemplate.Resources(template.Main).Single(r => (string?)r["name"] == "functionapp");
        var appDefault = (int)typeof(MonitoringOptions).GetProperty(option)!.GetValue(new MonitoringOptions())!;

        Assert.Equal($"[string(parameters('{parameter}'))]", (string?)settings[$"{MonitoringOptions.SectionName}__{option}"]);
        Assert.Equal($"[parameters('{parameter}')]", (string?)functionApp["properties"]!["parameters"]![parameter]!["value"]);
        Assert.Equal(appDefault, (int)template.Main["parameters"]![parameter]!["defaultValue"]!);
    }

    [Fact]
    public void Runbook_WhatToAlertOn_NamesExactlyTheRulesDeployedAndEachRuleItsSection()
    {
        var operations = File.ReadAllText(Path.Combine(Bicep.InfraDirectory, "..", "docs", "operations.md"));
        var table = operations[operations.IndexOf("## What to alert on", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        var documented = TableRule().Matches(table).Select(m => m.Groups["rule"].Value).ToList();
        var deployed = LogAlerts().Select(a => (string)a["name"]!).Append("health").ToList();
        var descriptions = LogAlerts().Select(a => (string)a["description"]!)
            .Append((string)template.Single(Module, "Microsoft.Insights/metricAlerts")["properties"]!["description"]!).ToList();

        Assert.Equal(deployed.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
        Assert.All(descriptions, description =>
        {
            var section = RunbookSection().Match(description);
            Assert.True(section.Success, $"no runbook section named in: {description}");
            Assert.Contains($"\n### Alert: {section.Groups["title"].Value}\n", operations, StringComparison.Ordinal);
        });
    }

    private List<JsonNode> LogAlerts() => [.. template.Variable(Module, "logAlerts").AsArray().Select(a => a!)];

    private JsonNode LogAlert(string name) => Assert.Single(LogAlerts(), a => (string?)a["name"] == name);

    private string? ModuleParameter(string name) =>
        (string?)CompiledTemplate.Resources(template.Main).Single(r => (string?)r["name"] == Module)["properties"]!["parameters"]![name]!["value"];

    /// <summary>A row of the "What to alert on" table: its second cell is the rule's name in backticks.</summary>
    [GeneratedRegex(@"^\|[^|\n]+\|\s*`(?<rule>[a-z-]+)`\s*\|", RegexOptions.Multiline)]
    private static partial Regex TableRule();

    [GeneratedRegex(@"docs/operations\.md, ""Alert: (?<title>[^""]+)""")]
    private static partial Regex RunbookSection();
}
