using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Monitoring;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Admin;

/// <summary>One queue in the overview.</summary>
public sealed record QueueOverview(string Queue, long Length, double OldestWaitingSeconds, DateTimeOffset? OldestWaitingSince, DateTimeOffset MeasuredAt);

/// <summary>The dead letters in the overview: stored, arrived within the window, and both by workspace and reason.</summary>
public sealed record DeadLetterOverview(long Stored, long Recent, int WindowMinutes, DateTimeOffset CountedAt, IReadOnlyList<DeadLetterCount> ByWorkspace);

/// <summary>The banner's settings (the alert rules' thresholds, docs/operations.md).</summary>
public sealed record AttentionThresholds(int OldestMessageMinutes, int DeadLetterWindowMinutes, int DeadLettersThreshold, int PoisonMessagesThreshold);

/// <summary>The answer of GetOverviewFunction.</summary>
public sealed record Overview(
    IReadOnlyList<AttentionItem> Attention, IReadOnlyList<QueueOverview> Queues, DeadLetterOverview DeadLetters, AttentionThresholds Thresholds);

/// <summary>
/// GetOverviewFunction: what needs attention now (the console's banner), each queue's length
/// and oldest waiting message, and the dead letters stored and recent, from
/// <see cref="OperationsMonitor"/> (queues at most <see cref="MonitoringOptions.IntervalSeconds"/>
/// old, dead letters as last counted). 503 when storage cannot be reached.
/// </summary>
public sealed class OverviewHandler(OperationsMonitor monitor, IOptions<MonitoringOptions> options)
{
    public async Task<IResult> HandleAsync(CancellationToken ct)
    {
        var (queues, census) = await monitor.CurrentAsync(ct);
        var o = options.Value;
        return TypedResults.Ok(new Overview(
            Attention.Of(queues, census, o),
            [.. queues.Select(q => new QueueOverview(q.Queue, q.Length, Math.Round(q.OldestWaiting.TotalSeconds, 1), q.OldestWaitingSince, q.MeasuredAt))],
            new DeadLetterOverview(census.Stored, census.Recent, o.DeadLetterWindowMinutes, census.CountedAt, census.Counts),
            new AttentionThresholds(o.OldestMessageMinutes, o.DeadLetterWindowMinutes, o.DeadLettersThreshold, o.PoisonMessagesThreshold)));
    }
}
