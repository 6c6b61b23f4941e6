using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Workspaces;

/// <summary>Options for the <c>Workspaces</c> section.</summary>
public sealed class WorkspaceOptions
{
    public const string SectionName = "Workspaces";

    /// <summary>How long settings are cached in memory; an edit takes effect within this time.</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 3600)]
    public int CacheSeconds { get; set; } = 30;
}

/// <summary>
/// Workspace settings cached briefly per process, for ingest and delivery. Unknown workspaces are
/// never cached, so a workspace works the moment it is created (Segment does not retry a 404).
/// </summary>
public sealed class WorkspaceCache(WorkspaceStore store, TimeProvider time, IOptions<WorkspaceOptions> options)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeSpan _ttl = TimeSpan.FromSeconds(options.Value.CacheSeconds);

    public async ValueTask<WorkspaceSettings?> GetAsync(string workspaceId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(workspaceId, out var entry) && entry.ExpiresAt > now)
        {
            return entry.Settings;
        }
        var settings = await store.GetAsync(workspaceId, ct);
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

    private sealed record Entry(WorkspaceSettings Settings, DateTimeOffset ExpiresAt);
}
