using System.Globalization;
using System.Text.Json;

namespace ConvertroFunctions.Core.Segment;

/// <summary>Reading Segment fields the same way everywhere: in validation and in the mapper.</summary>
public static class SegmentFields
{
    public static bool TryGetType(JsonElement type, out SegmentEventType parsed)
    {
        parsed = default;
        if (type.ValueKind != JsonValueKind.String)
        {
            return false;
        }
        // ValueEquals compares the UTF-8 text in place: no string is allocated per event.
        if (type.ValueEquals("track"u8)) { parsed = SegmentEventType.Track; return true; }
        if (type.ValueEquals("identify"u8)) { parsed = SegmentEventType.Identify; return true; }
        if (type.ValueEquals("page"u8)) { parsed = SegmentEventType.Page; return true; }
        if (type.ValueEquals("screen"u8)) { parsed = SegmentEventType.Screen; return true; }
        if (type.ValueEquals("group"u8)) { parsed = SegmentEventType.Group; return true; }
        if (type.ValueEquals("alias"u8)) { parsed = SegmentEventType.Alias; return true; }
        if (type.ValueEquals("delete"u8)) { parsed = SegmentEventType.Delete; return true; }
        return false;
    }

    /// <summary>
    /// An identifier (userId, anonymousId, order id): a non-blank string as given, or a number as
    /// its JSON text (so 12345 becomes "12345"). Anything else counts as absent.
    /// </summary>
    public static string? AsIdentifier(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var text = value.GetString();
                return string.IsNullOrWhiteSpace(text) ? null : text;
            case JsonValueKind.Number:
                return value.GetRawText();
            default:
                return null;
        }
    }

    /// <summary>An ISO-8601 date-time (the extended profile System.Text.Json understands).</summary>
    public static bool TryGetTimestamp(JsonElement value, out DateTimeOffset timestamp)
    {
        timestamp = default;
        return value.ValueKind == JsonValueKind.String && value.TryGetDateTimeOffset(out timestamp);
    }

    /// <summary>A JSON number, or a string holding one ("12.50"); null for anything else.</summary>
    public static decimal? AsAmount(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number))
        {
            return number;
        }
        if (value.ValueKind == JsonValueKind.String
            && decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }
        return null;
    }
}
