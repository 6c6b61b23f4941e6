namespace ConvertroFunctions.Core.Segment;

/// <summary>The Segment call types this destination accepts.</summary>
public enum SegmentEventType
{
    Identify,
    Track,
    Page,
    Screen,
    Group,
    Alias,
    Delete,
}
