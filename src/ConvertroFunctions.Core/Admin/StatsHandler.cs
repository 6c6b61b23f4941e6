using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Workspaces;
using ConvertroFunctions.Core.Stats;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Admin;

/// <summary>One hour of a workspace's counts.</summary>
public sealed record HourlyCounts(DateTimeOffset Hour, long Received, long Delivered, long Skipped, long DeadLettered, long Retrying);

/// <summary>The answer of GetStatsFunction.</summary>
public sealed record WorkspaceStats(
    string WorkspaceId, int Hours, DateTimeOffset From, DateTimeOffset To, int LagSeconds,
    long Received, long Delivered, long Skipped, IReadOnlyDictionary<string, long> SkippedByReason,
    long DeadLettered, IReadOnlyDictionary<string, long> DeadLetteredByReason, long Retrying,
    IReadOnlyList<HourlyCounts> Hourly);

/// <summary>
/// GetStatsFunction, <c>?hours=N</c> (default 24, at most 168): the counts of
/// the current hour and the N−1 before it, summed over every instance's rows, with a bucket per hour.
/// </summary>
public sealed class StatsHandler(StatsStore store, TimeProvider time, IOptions<StatsOptions> options)
{
    public const int DefaultHours = 24, MaxHours = 168;

    public async Task<IResult> HandleAsync(WorkspaceSettings settings, HttpRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (AdminRequests.QueryCount(request, "hours", DefaultHours, MaxHours, errors) is not { } hours)
        {
            return Problems.Invalid("Bad query.", errors);
        }
        var to = EventCounts.HourOf(time.GetUtcNow()).AddHours(1);
        var from = to.AddHours(-hours);
        var rows = await store.ReadAsync(settings.WorkspaceId, from, to, ct);
        var hourly = Enumerable.Range(0, hours).Select(i => from.AddHours(i)).Select(hour => rows.TryGetValue(hour, out var r)
            ? new HourlyCounts(hour, r.Received, r.Delivered, r.SkippedByReason.Values.Sum(), r.DeadLetteredByReason.Values.Sum(), r.Retrying)
            : new HourlyCounts(hour, 0, 0, 0, 0, 0)).ToList();
        return TypedResults.Ok(new WorkspaceStats(
            settings.WorkspaceId, hours, from, to, options.Value.FlushSeconds,
            hourly.Sum(h => h.Received), hourly.Sum(h => h.Delivered), hourly.Sum(h => h.Skipped), Total(rows.Values.Select(r => r.SkippedByReason)),
            hourly.Sum(h => h.DeadLettered), Total(rows.Values.Select(r => r.DeadLetteredByReason)), hourly.Sum(h => h.Retrying), hourly));
    }

    private static SortedDictionary<string, long> Total(IEnumerable<IReadOnlyDictionary<string, long>> byReason)
    {
        var total = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (reason, count) in byReason.SelectMany(d => d))
        {
            total[reason] = total.GetValueOrDefault(reason) + count;
        }
        return total;
    }
}
