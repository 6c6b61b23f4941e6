using System.Collections.Concurrent;

namespace ConvertroFunctions.Core.Stats;

/// <summary>One workspace's counts for one hour, as one instance saw them since it started.</summary>
public sealed class HourCounts
{
    internal long ReceivedCount, DeliveredCount, RetryingCount;

    public long Received => Interlocked.Read(ref ReceivedCount);

    public long Delivered => Interlocked.Read(ref DeliveredCount);

    /// <summary>Retry attempts scheduled (an event retried three times counts three).</summary>
    public long Retrying => Interlocked.Read(ref RetryingCount);

    public ConcurrentDictionary<string, long> SkippedByReason { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, long> DeadLetteredByReason { get; } = new(StringComparer.Ordinal);
}

/// <summary>A copy of one workspace-hour's counts, for a flush.</summary>
public sealed record HourSnapshot(
    string WorkspaceId, DateTimeOffset Hour, long Received, long Delivered, long Retrying,
    IReadOnlyDictionary<string, long> SkippedByReason, IReadOnlyDictionary<string, long> DeadLetteredByReason);

/// <summary>
/// What happened to events, counted in memory per workspace and hour (docs/operations.md, "Counts
/// and their lag"): no table write per event. <see cref="StatsFlusher"/> writes this instance's
/// running totals to its own rows every few seconds; reading sums every instance's rows.
/// </summary>
public sealed class EventCounts(TimeProvider time)
{
    private readonly ConcurrentDictionary<(string WorkspaceId, DateTimeOffset Hour), HourCounts> _hours = new();

    /// <summary>Names this process's rows; a restarted process writes new rows, so totals never double.</summary>
    public string InstanceId { get; } = Guid.NewGuid().ToString("N")[..12];

    public void Received(string workspaceId, long count) => Interlocked.Add(ref Now(workspaceId).ReceivedCount, count);

    public void Delivered(string workspaceId) => Interlocked.Increment(ref Now(workspaceId).DeliveredCount);

    public void Retrying(string workspaceId) => Interlocked.Increment(ref Now(workspaceId).RetryingCount);

    public void Skipped(string workspaceId, string reason) => Now(workspaceId).SkippedByReason.AddOrUpdate(reason, 1, (_, n) => n + 1);

    public void DeadLettered(string workspaceId, string reasonCode) =>
        Now(workspaceId).DeadLetteredByReason.AddOrUpdate(reasonCode, 1, (_, n) => n + 1);

    public IReadOnlyList<HourSnapshot> Snapshot() =>
        [.. _hours.Select(kv => new HourSnapshot(kv.Key.WorkspaceId, kv.Key.Hour, kv.Value.Received, kv.Value.Delivered, kv.Value.Retrying,
            kv.Value.SkippedByReason.ToDictionary(), kv.Value.DeadLetteredByReason.ToDictionary()))];

    /// <summary>Drops hours before <paramref name="before"/> once they are written: no more counts can land in them.</summary>
    public void Forget(DateTimeOffset before)
    {
        foreach (var key in _hours.Keys.Where(k => k.Hour < before))
        {
            _hours.TryRemove(key, out _);
        }
    }

    public static DateTimeOffset HourOf(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    private HourCounts Now(string workspaceId) => _hours.GetOrAdd((workspaceId, HourOf(time.GetUtcNow())), _ => new HourCounts());
}
