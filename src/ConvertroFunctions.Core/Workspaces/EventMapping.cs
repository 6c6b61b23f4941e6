namespace ConvertroFunctions.Core.Workspaces;

/// <summary>
/// The workspace's events mapping as a lookup: keys compared ignoring case and surrounding
/// spaces. Looking up an event name allocates nothing.
/// </summary>
public sealed class EventMapping
{
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public EventMapping(IReadOnlyDictionary<string, string> events)
    {
        var map = new Dictionary<string, string>(events.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (segmentName, convertroName) in events)
        {
            map[segmentName.Trim()] = convertroName.Trim();
        }
        Count = map.Count;
        _lookup = map.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count { get; }

    public bool IsEmpty => Count == 0;

    public bool TryMap(string segmentEvent, out string convertroEvent)
    {
        if (_lookup.TryGetValue(segmentEvent.AsSpan().Trim(), out var mapped))
        {
            convertroEvent = mapped;
            return true;
        }
        convertroEvent = string.Empty;
        return false;
    }

    /// <summary>Normalises a key the way lookups compare it, for duplicate detection.</summary>
    public static string NormalizeKey(string segmentEvent) => segmentEvent.Trim().ToUpperInvariant();
}
