using System.Text.Json;
using ConvertroFunctions.Core.Segment;

namespace ConvertroFunctions.Core.Delivery;

/// <summary>The few fields of an event that logs and dead letters show: never the whole body.</summary>
public readonly record struct EventSummary(string? MessageId, string? Type, string? Name)
{
    public static EventSummary Of(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return default;
        }
        return new EventSummary(Text(e, "messageId"), Text(e, "type"), Text(e, "event"));
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) ? SegmentFields.AsIdentifier(value) : null;
}
