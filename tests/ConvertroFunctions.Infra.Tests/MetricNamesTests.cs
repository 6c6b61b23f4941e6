using ConvertroFunctions.Core.Monitoring;

namespace ConvertroFunctions.Infra.Tests;

/// <summary>
/// One source for metric names (Core's MetricNames): the code publishes only declared names, infra/
/// (workbook and alerts) names only declared ones, and every alert reads a metric the code
/// publishes, so a renamed metric cannot leave an alert waiting for data that never comes.
/// </summary>
public sealed class MetricNamesTests(CompiledTemplate template) : IClassFixture<CompiledTemplate>
{
    [Fact]
    public void Code_EveryInstrumentOnTheMeter_IsDeclaredInMetricNames()
    {
        var published = PublishedMetrics.Names();

        Assert.Contains(MetricNames.OldestMessageAge, published);
        Assert.Contains(MetricNames.DeadLettersStored, published);
        Assert.Subset(MetricNames.All.ToHashSet(), published.ToHashSet());
    }

    [Fact]
    public void Infra_EveryMetricItNames_IsDeclaredInMetricNames()
    {
        var named = template.AllTemplates.SelectMany(t => PublishedMetrics.NamedIn(t)).ToHashSet();

        Assert.NotEmpty(named);
        Assert.Subset(MetricNames.All.ToHashSet(), named);
    }

    [Fact]
    public void Alerts_EveryMetricTheyRead_IsOneTheCodePublishes()
    {
        var read = PublishedMetrics.NamedIn(template.Modules["alerts"]);

        Assert.Subset(PublishedMetrics.Names().ToHashSet(), read);
        // Every signal the alerts are about (docs/operations.md, "What to alert on").
        Assert.Superset(
            new HashSet<string> { MetricNames.SignatureRejected, MetricNames.DeadLettered, MetricNames.DeliveryLag, MetricNames.QueueLength, MetricNames.OldestMessageAge, MetricNames.Skipped, MetricNames.Accepted },
            read);
    }

    [Fact]
    public void MetricNames_All_HasEveryConstantOnce()
    {
        var constants = typeof(MetricNames).GetFields()
            .Where(f => f.IsLiteral && f.Name != nameof(MetricNames.Meter)).Select(f => (string)f.GetRawConstantValue()!).ToList();

        Assert.Equal(constants.Order(StringComparer.Ordinal), MetricNames.All.Order(StringComparer.Ordinal));
        Assert.Equal(MetricNames.All.Count, MetricNames.All.Distinct().Count());
    }
}
