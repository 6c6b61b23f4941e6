using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Monitoring;

/// <summary>
/// The latest measurement of the queues and of the stored dead letters, and the gauges that report
/// them on the <see cref="MetricNames.Meter"/> meter: <see cref="MetricNames.QueueLength"/>,
/// <see cref="MetricNames.OldestMessageAge"/> (tag queue) and <see cref="MetricNames.DeadLettersStored"/>
/// (tags workspace, reason). <see cref="OperationsMonitorService"/> measures on a timer in both hosts;
/// the overview route reads the same values. A gauge reports only a recent measurement (three
/// intervals): when storage cannot be measured, it goes quiet rather than repeat a stale value.
/// Every instance measures the same queues and table, so the alerts take the maximum across instances.
/// </summary>
public sealed class OperationsMonitor
{
    private const int FreshIntervals = 3;

    private readonly BacklogProbe _probe;
    private readonly DeadLetterCounter _counter;
    private readonly TimeProvider _time;
    private readonly MonitoringOptions _options;
    private readonly SemaphoreSlim _measuring = new(1, 1);
    private readonly SemaphoreSlim _counting = new(1, 1);
    private volatile IReadOnlyList<QueueBacklog>? _backlog;
    private volatile DeadLetterCensus? _census;

    public OperationsMonitor(
        IMeterFactory meters, BacklogProbe probe, DeadLetterCounter counter, TimeProvider time, IOptions<MonitoringOptions> options)
    {
        _probe = probe;
        _counter = counter;
        _time = time;
        _options = options.Value;
        var meter = meters.Create(MetricNames.Meter);
        meter.CreateObservableGauge(MetricNames.QueueLength,
            () => FreshBacklog().Select(q => new Measurement<long>(q.Length, QueueTag(q))),
            unit: "{message}", description: "Messages in the queue, delayed retries included");
        meter.CreateObservableGauge(MetricNames.OldestMessageAge,
            () => FreshBacklog().Select(q => new Measurement<double>(q.OldestWaiting.TotalSeconds, QueueTag(q))),
            unit: "s", description: "How long the oldest visible message of the queue has been waiting");
        meter.CreateObservableGauge(MetricNames.DeadLettersStored,
            () => FreshCensus().Select(c => new Measurement<long>(c.Stored,
                new KeyValuePair<string, object?>(MetricNames.Tags.Workspace, c.WorkspaceId),
                new KeyValuePair<string, object?>(MetricNames.Tags.Reason, c.ReasonCode))),
            unit: "{dead letter}", description: "Dead letters stored, by workspace and reason code");
    }

    /// <summary>The last measurement of both queues, null before the first.</summary>
    public IReadOnlyList<QueueBacklog>? Backlog => _backlog;

    /// <summary>The last count of the dead letters, null before the first.</summary>
    public DeadLetterCensus? DeadLetters => _census;

    /// <summary>Measures both queues now.</summary>
    public async Task<IReadOnlyList<QueueBacklog>> MeasureBacklogAsync(CancellationToken ct)
    {
        await _measuring.WaitAsync(ct);
        try
        {
            return _backlog = await Task.WhenAll(BacklogProbe.Queues.Select(q => _probe.MeasureAsync(q, ct)));
        }
        finally
        {
            _measuring.Release();
        }
    }

    /// <summary>Counts the dead letters now.</summary>
    public async Task<DeadLetterCensus> CountDeadLettersAsync(CancellationToken ct)
    {
        await _counting.WaitAsync(ct);
        try
        {
            return _census = await _counter.CountAsync(ct);
        }
        finally
        {
            _counting.Release();
        }
    }

    /// <summary>
    /// For a reader (the overview): the queues measured within the last interval, else now; the
    /// dead letters as last counted, or now when they never were.
    /// </summary>
    public async Task<(IReadOnlyList<QueueBacklog> Backlog, DeadLetterCensus DeadLetters)> CurrentAsync(CancellationToken ct)
    {
        var backlog = _backlog is { } measured && Age(measured[0].MeasuredAt) < TimeSpan.FromSeconds(_options.IntervalSeconds)
            ? measured
            : await MeasureBacklogAsync(ct);
        var census = _census ?? await CountDeadLettersAsync(ct);
        return (backlog, census);
    }

    private IEnumerable<QueueBacklog> FreshBacklog() =>
        _backlog is { } backlog && Age(backlog[0].MeasuredAt) <= TimeSpan.FromSeconds(FreshIntervals * _options.IntervalSeconds) ? backlog : [];

    private IEnumerable<DeadLetterCount> FreshCensus() =>
        _census is { } census && Age(census.CountedAt) <= TimeSpan.FromSeconds(FreshIntervals * _options.DeadLetterCountSeconds) ? census.Counts : [];

    private TimeSpan Age(DateTimeOffset at) => _time.GetUtcNow() - at;

    private static KeyValuePair<string, object?> QueueTag(QueueBacklog q) => new(MetricNames.Tags.Queue, q.Queue);
}
