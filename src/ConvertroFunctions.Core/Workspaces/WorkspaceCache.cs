using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Workspaces;

/// <summary>
/// Workspace settings cached briefly per process, for ingest and delivery. Unknown workspaces are
/// never cached, so a workspace works the moment it is created (Segment does not retry a 404).
/// When a copy expires, one caller reads the table again while the others keep using the copy:
/// hundreds of requests a second must not all wait for (or all make) the same read.
/// </summary>
public sealed class WorkspaceCache(WorkspaceStore store, TimeProvider time, IOptions<WorkspaceOptions> options)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeSpan _ttl = TimeSpan.FromSeconds(options.Value.CacheSeconds);

    public async ValueTask<WorkspaceSettings?> GetAsync(string workspaceId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(workspaceId, out var entry)
            && (entry.ExpiresAt > now || !entry.TryStartRefresh()))
        {
            return entry.Settings;
        }
        WorkspaceSettings? settings;
        try
        {
            settings = await store.GetAsync(workspaceId, ct);
        }
        finally
        {
            entry?.EndRefresh();
        }
        if (settings is null)
        {
            _entries.TryRemove(workspaceId, out _);
        }
        else if (_ttl > TimeSpan.Zero)
        {
            _entries[workspaceId] = new Entry(settings, now + _ttl);
        }
        return settings;
    }

    /// <summary>Drops this process's copy after an edit made through this process.</summary>
    public void Invalidate(string workspaceId) => _entries.TryRemove(workspaceId, out _);

    private sealed class Entry(WorkspaceSettings settings, DateTimeOffset expiresAt)
    {
        private int _refreshing;

        public WorkspaceSettings Settings { get; } = settings;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        /// <summary>True for the one caller that should read the table again.</summary>
        public bool TryStartRefresh() => Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0;

        public void EndRefresh() => Volatile.Write(ref _refreshing, 0);
    }
}
