using System.Collections.Concurrent;

namespace ConvertroFunctions.Core.Ingest;

/// <summary>
/// The messageIds this instance accepted in the last 24 hours (up to <see cref="Capacity"/>), so
/// ingest can tell a sender "N of these repeat events you already sent" without a storage read on
/// the hot path. Per instance, so a hint, not the rule: delivery's event ledger is what decides
/// that a repeat sends nothing (docs/operations.md, "Repeats").
/// </summary>
public sealed class RecentMessageIds(TimeProvider time)
{
    public const int Capacity = 200_000;

    private static readonly TimeSpan Window = TimeSpan.FromHours(24);

    private readonly ConcurrentDictionary<(string WorkspaceId, string MessageId), DateTimeOffset> _seen = new();
    private int _trimming;

    /// <summary>Records the ids; returns how many of them were already recorded within the window.</summary>
    public int Record(string workspaceId, IEnumerable<string> messageIds)
    {
        var now = time.GetUtcNow();
        var repeats = 0;
        foreach (var id in messageIds)
        {
            // A repeat when seen within the window (earlier in this same body too); an expired sighting starts again now.
            var repeat = false;
            _seen.AddOrUpdate((workspaceId, id), now, (_, seen) => (repeat = now - seen < Window) ? seen : now);
            repeats += repeat ? 1 : 0;
        }
        if (_seen.Count > Capacity)
        {
            Trim(now);
        }
        return repeats;
    }

    /// <summary>Forgets expired ids, then the oldest until a quarter below capacity.</summary>
    private void Trim(DateTimeOffset now)
    {
        if (Interlocked.Exchange(ref _trimming, 1) == 1)
        {
            return;
        }
        try
        {
            var oldestFirst = _seen.OrderBy(kv => kv.Value).ToList();
            var excess = oldestFirst.Count - Capacity * 3 / 4;
            foreach (var (key, seen) in oldestFirst)
            {
                if (excess-- <= 0 && now - seen < Window)
                {
                    break;
                }
                _seen.TryRemove(key, out _);
            }
        }
        finally
        {
            Volatile.Write(ref _trimming, 0);
        }
    }
}
