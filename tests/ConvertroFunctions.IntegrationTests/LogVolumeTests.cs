using System.Net;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>LocalHost logging as in production (Information and up, the shipped defaults), captured.</summary>
public sealed class ProductionLogPipeline : PipelineFixture
{
    public LogCapture Logs { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Logging:LogLevel:Default", "Information"), new("Logging:LogLevel:ConvertroFunctions", "Information"),
        new("Convertro:InProcessRetries", "2"), new("Delivery:RetryDelays", "00:00:00.100,00:00:00.100"),
    ];

    protected override void ConfigureHost(WebApplicationBuilder builder) => builder.Logging.AddProvider(Logs);
}

/// <summary>An outage of Convertro costs log lines in proportion to the events, never retries times stack depth.</summary>
public sealed class LogVolumeTests(ProductionLogPipeline pipeline) : IClassFixture<ProductionLogPipeline>
{
    [Fact]
    public async Task Deliver_ConvertroRefusingConnections_OneLinePerFailedAttemptAndNoStackTraces()
    {
        var ws = await pipeline.NewWorkspaceAsync();
        var ids = Enumerable.Range(0, 40).Select(i => $"outage-{i}").ToList();
        var url = await pipeline.StopConvertroAsync();
        var before = pipeline.Logs.Entries.Count;
        try
        {
            var body = Segment.Array([.. ids.Select(id => Segment.Track(id, "Signed Up"))]);
            Assert.Equal(HttpStatusCode.Accepted, (await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", body)).StatusCode);

            var letters = await pipeline.WaitForDeadLettersAsync(ws.Id, ids.Count);
            Assert.All(letters, l => Assert.Equal("retries_exhausted", l.GetProperty("reasonCode").GetString()));
        }
        finally
        {
            await pipeline.StartConvertroAgainAsync(url);
        }

        // Log lines (a scope is not one), about this workspace or carrying a stack trace.
        var lines = pipeline.Logs.Entries.Skip(before).Where(e => !e.Contains(" scope: ", StringComparison.Ordinal)
            && (e.Contains(ws.Id, StringComparison.Ordinal) || e.Contains(" at ", StringComparison.Ordinal))).ToList();
        // Per event: 2 failed attempts that are retried and 1 dead letter; per message: a summary line.
        var budget = ids.Count * 3 + (1 + ids.Count * 2) + 10;
        Assert.True(lines.Count <= budget, $"{lines.Count} log lines for {ids.Count} events (budget {budget}):\n" +
            string.Join("\n", lines.GroupBy(l => string.Join(' ', l.Split(' ').Take(2))).Select(g => $"{g.Count()} × {g.Key}")));
        Assert.DoesNotContain(pipeline.Logs.Entries.Skip(before), e => e.Contains("   at ", StringComparison.Ordinal));
        Assert.Equal(ids.Count * 2, lines.Count(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("attempt", StringComparison.Ordinal)));
        Assert.Equal(ids.Count, lines.Count(l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("retries_exhausted", StringComparison.Ordinal)));
    }
}
