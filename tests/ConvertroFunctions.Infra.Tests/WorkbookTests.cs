using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConvertroFunctions.Core.Monitoring;

namespace ConvertroFunctions.Infra.Tests;

/// <summary>
/// The workbook (infra/modules/workbook.bicep) in the compiled template: linked to the Application
/// Insights resource the monitoring module creates, named deterministically, and querying every
/// metric Core publishes (PublishedMetrics), with the workspace, reason and queue dimensions, a time
/// range and a workspace filter. The queries are read from the compiled template's literal
/// workbookContent, which is what serializedData deploys.
/// </summary>
public sealed class WorkbookTests(CompiledTemplate template) : IClassFixture<CompiledTemplate>
{
    private const string Module = "workbook";
    private const string AppInsightsId = "resourceId('Microsoft.Insights/components', parameters('appInsightsName'))";

    [Fact]
    public void Workbook_Compiled_IsASharedWorkbookLinkedToApplicationInsights()
    {
        var workbook = Workbook();
        var properties = workbook["properties"]!;

        Assert.Equal("shared", (string?)workbook["kind"]);
        Assert.Equal("workbook", (string?)properties["category"]);
        Assert.Equal("Notebook/1.0", (string?)properties["version"]);
        Assert.Equal($"[{AppInsightsId}]", (string?)properties["sourceId"]);
        var serialized = (string)properties["serializedData"]!;
        Assert.StartsWith("[string(union(variables('workbookContent')", serialized);
        Assert.Contains($"createObject('fallbackResourceIds', createArray({AppInsightsId}))", serialized);
    }

    [Fact]
    public void Workbook_Compiled_BelongsToTheApplicationInsightsResourceTheMonitoringModuleCreates()
    {
        var deployments = CompiledTemplate.Resources(template.Main)
            .Where(r => (string?)r["type"] == "Microsoft.Resources/deployments")
            .ToDictionary(r => (string)r["name"]!, r => r["properties"]!["parameters"]!);

        Assert.Equal("[variables('appInsightsName')]", (string?)deployments["monitoring"]["appInsightsName"]!["value"]);
        Assert.Equal("[variables('appInsightsName')]", (string?)deployments[Module]["appInsightsName"]!["value"]);
        Assert.Equal("[parameters('appInsightsName')]", (string?)template.Single("monitoring", "Microsoft.Insights/components")["name"]);
    }

    [Fact]
    public void Workbook_Compiled_HasANameFixedByItsApplicationInsightsResource()
    {
        var name = (string)Workbook()["name"]!;

        // guid() of the resource id and a constant: the same name on every deployment, so a redeploy updates it.
        Assert.Matches($@"^\[guid\({Regex.Escape(AppInsightsId)}, '[^']+'\)\]$", name);
    }

    [Fact]
    public void Parameters_Compiled_AreATimeRangeAndAMultiSelectWorkspaceFilterFromTheMetrics()
    {
        var parameters = Items().Single(i => (int?)i["type"] == 9)["content"]!["parameters"]!.AsArray().Select(p => p!).ToList();

        var timeRange = Assert.Single(parameters, p => (string?)p["name"] == "TimeRange");
        Assert.Equal(4, (int?)timeRange["type"]);
        var workspace = Assert.Single(parameters, p => (string?)p["name"] == "Workspace");
        Assert.Equal(2, (int?)workspace["type"]);
        Assert.True((bool?)workspace["multiSelect"]);
        Assert.Equal("value::all", (string?)workspace["defaultValue"]);
        Assert.Equal("*", (string?)workspace["typeSettings"]!["selectAllValue"]);
        Assert.Contains("tostring(customDimensions.workspace)", (string)workspace["query"]!);
        Assert.Contains("{TimeRange}", (string)workspace["query"]!);
    }

    [Fact]
    public void Queries_Compiled_EachReadsCustomMetricsInTheTimeRangeForTheChosenWorkspaces()
    {
        var queries = QueryItems();

        Assert.NotEmpty(queries);
        Assert.All(queries, item =>
        {
            var content = item["content"]!;
            var query = (string)content["query"]!;
            Assert.StartsWith("customMetrics", query);
            Assert.Contains("| where timestamp {TimeRange}", query);
            // The queue gauges belong to no workspace; every other metric is filtered by the chosen ones.
            if (PublishedMetrics.NamedIn(query).All(QueueMetrics.Contains))
            {
                Assert.Contains("queue = tostring(customDimensions.queue)", query);
                return;
            }
            Assert.Contains("workspace = tostring(customDimensions.workspace)", query);
            Assert.Contains("""| where "*" in ({Workspace}) or workspace in ({Workspace})""", query);
            Assert.Equal("TimeRange", (string?)content["timeContextFromParameter"]);
            Assert.Equal("microsoft.insights/components", (string?)content["resourceType"]);
            Assert.Equal(0, (int?)content["queryType"]);
        });
    }

    [Fact]
    public void Queries_Compiled_NameEveryMetricTheAppPublishesAndOnlyDeclaredOnes()
    {
        var published = PublishedMetrics.Names();
        var named = QueryItems().SelectMany(i => PublishedMetrics.NamedIn((string)i["content"]!["query"]!)).ToHashSet();

        Assert.Superset(published.ToHashSet(), named);
        Assert.Subset(MetricNames.All.ToHashSet(), named);
    }

    [Theory]
    [InlineData("convertro.events.accepted", "timechart", "workspace")]
    [InlineData("convertro.events.delivered", "timechart", "workspace")]
    [InlineData("convertro.events.retried", "timechart", "workspace")]
    [InlineData("convertro.events.skipped", "timechart", "reason")]
    [InlineData("convertro.events.skipped", "table", "workspace, reason")]
    [InlineData("convertro.events.dead_lettered", "timechart", "reason")]
    [InlineData("convertro.events.dead_lettered", "table", "workspace, reason")]
    [InlineData("convertro.events.delivery_lag", "timechart", "workspace")]
    [InlineData("convertro.events.storage_waits", "timechart", "workspace")]
    [InlineData("convertro.dead_letters.stored", "timechart", "workspace, reason")]
    [InlineData("convertro.queue.oldest_message_age", "timechart", "queue")]
    [InlineData("convertro.queue.length", "timechart", "queue")]
    public void Queries_Compiled_ShowEachOutcomeByItsDimensions(string metric, string visualization, string by)
    {
        var item = Assert.Single(QueryItems(), i =>
            (string?)i["content"]!["visualization"] == visualization && ((string)i["content"]!["query"]!).Contains($"| where name == \"{metric}\"", StringComparison.Ordinal));
        var query = (string)item["content"]!["query"]!;

        var grouping = visualization == "timechart" ? $"by bin(timestamp, {{TimeRange:grain}}), {by}" : $"by {by}";
        Assert.Contains(grouping, query);
        if (by.Contains("reason", StringComparison.Ordinal))
        {
            Assert.Contains("reason = tostring(customDimensions.reason)", query);
        }
    }

    [Fact]
    public void Totals_Compiled_SumEveryCounterAndTakeTheLagP95AndMaxPerWorkspace()
    {
        var totals = Assert.Single(QueryItems(), i => (string?)i["name"] == "totals");
        var query = (string)totals["content"]!["query"]!;

        Assert.Equal("table", (string?)totals["content"]!["visualization"]);
        // Storage waits: issue 20's counter, declared in MetricNames and summed here before it is published.
        foreach (var counter in PublishedMetrics.Counters().Union([MetricNames.StorageWaits]))
        {
            Assert.Contains($"sumif(value, name == \"{counter}\")", query);
        }
        Assert.Contains("percentilew(valueSum / valueCount, valueCount, 95)", query);
        Assert.Contains("max(valueMax)", query);
        Assert.Contains("by workspace", query);
    }

    [Fact]
    public void DeliveryLag_Compiled_IsTheP95OfTheHistogramsMeansWeightedByTheirCounts()
    {
        var lag = Assert.Single(QueryItems(), i => (string?)i["name"] == "delivery-lag");
        var query = (string)lag["content"]!["query"]!;

        // The exporter sends a histogram's sum, count, min and max per minute, no buckets.
        Assert.Contains("valueCount > 0", query);
        Assert.Contains("percentilew(valueSum / valueCount, valueCount, 95)", query);
    }

    private JsonObject Workbook() => template.Single(Module, "Microsoft.Insights/workbooks");

    private List<JsonNode> Items() =>
        [.. template.Variable(Module, "workbookContent")["items"]!.AsArray().Select(i => i!)];

    private List<JsonNode> QueryItems() => [.. Items().Where(i => (int?)i["type"] == 3)];

    private static readonly HashSet<string> QueueMetrics = [MetricNames.QueueLength, MetricNames.OldestMessageAge];
}
