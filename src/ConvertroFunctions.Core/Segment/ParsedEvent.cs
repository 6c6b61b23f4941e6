using System.Text.Json;

namespace ConvertroFunctions.Core.Segment;

/// <summary>
/// One event read from a <see cref="SegmentBody"/>, parsed on its own. Dispose it once the event is
/// validated (and mapped): that frees its parsed document, so a batch of 4,000 events holds one
/// document at a time. Its raw text (<see cref="RawEvent.Utf8"/>) outlives it: a slice of the
/// request buffer, or for a merged batch item its own array.
/// </summary>
public readonly struct ParsedEvent(RawEvent e, JsonDocument? document) : IDisposable
{
    public RawEvent Event { get; } = e;

    public void Dispose() => document?.Dispose();
}
