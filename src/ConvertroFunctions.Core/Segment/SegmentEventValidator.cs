using System.Text.Json;
using ConvertroFunctions.Core.Json;

namespace ConvertroFunctions.Core.Segment;

/// <summary>The per-event ingest rules (docs/api.md, "Ingest"). Returns every problem at once.</summary>
public static class SegmentEventValidator
{
    /// <summary>Segment never sends one event over 32 KiB; neither do we accept one.</summary>
    public const int MaxEventBytes = 32 * 1024;

    public const int MaxMessageIdLength = 100;

    private const string AllowedTypes = "identify, track, page, screen, group, alias, delete";

    /// <returns>null when the event is valid.</returns>
    public static EventProblem? Validate(in RawEvent raw)
    {
        if (raw.Unreadable is { } unreadable)
        {
            return unreadable;
        }
        var e = raw.Element;
        if (e.ValueKind != JsonValueKind.Object)
        {
            return new EventProblem(raw.Index, null, ["event: must be a JSON object."]);
        }

        List<string>? errors = null;
        void Add(string message) => (errors ??= []).Add(message);
        if (UnicodeCheck.UnpairedSurrogate(e, raw.Utf8.Span) is { } where)
        {
            // Nothing else can be read safely from this event; its messageId only if that one is text.
            return new EventProblem(raw.Index, JsonScanner.TopLevelString(raw.Utf8.Span, "messageId"u8), [UnicodeCheck.SurrogateProblem(where)]);
        }

        var type = CheckType(e, Add);
        var messageId = CheckMessageId(e, Add);
        if (type != SegmentEventType.Delete && !HasIdentity(e, "userId") && !HasIdentity(e, "anonymousId"))
        {
            Add("userId/anonymousId: one of them is required (a non-empty string).");
        }
        if (type == SegmentEventType.Track)
        {
            if (!e.TryGetProperty("event", out var name) || name.ValueKind == JsonValueKind.Null)
            {
                Add("event: is required for a track call.");
            }
            else if (name.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(name.GetString()))
            {
                Add("event: must be a non-empty string.");
            }
        }
        if (e.TryGetProperty("timestamp", out var timestamp) && timestamp.ValueKind != JsonValueKind.Null
            && !SegmentFields.TryGetTimestamp(timestamp, out _))
        {
            Add($"timestamp: must be an ISO-8601 date-time, got {Describe(timestamp)}.");
        }
        if (raw.Utf8.Length > MaxEventBytes)
        {
            Add(TooLarge(raw.Utf8.Length));
        }

        return errors is null ? null : new EventProblem(raw.Index, messageId, errors);
    }

    internal static string TooLarge(int bytes) => $"event: is {bytes} bytes; the limit is {MaxEventBytes} bytes (32 KiB) per event.";

    private static SegmentEventType? CheckType(JsonElement e, Action<string> add)
    {
        if (!e.TryGetProperty("type", out var type) || type.ValueKind == JsonValueKind.Null)
        {
            add($"type: is required; one of {AllowedTypes}.");
            return null;
        }
        if (SegmentFields.TryGetType(type, out var parsed))
        {
            return parsed;
        }
        add($"type: must be one of {AllowedTypes}, got {Describe(type)}.");
        return null;
    }

    private static string? CheckMessageId(JsonElement e, Action<string> add)
    {
        if (!e.TryGetProperty("messageId", out var id) || id.ValueKind == JsonValueKind.Null)
        {
            add("messageId: is required.");
            return null;
        }
        if (id.ValueKind != JsonValueKind.String)
        {
            add($"messageId: must be a string, got {Describe(id)}.");
            return null;
        }
        var value = id.GetString()!;
        if (value.Length == 0)
        {
            add("messageId: must not be empty.");
        }
        else if (value.Length > MaxMessageIdLength)
        {
            add($"messageId: must be at most {MaxMessageIdLength} characters, got {value.Length}.");
        }
        return value;
    }

    private static bool HasIdentity(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && SegmentFields.AsIdentifier(value) is not null;

    /// <summary>A short description of a bad value for an error message; never the whole value.</summary>
    internal static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!.Length <= 40
            ? $"\"{value.GetString()}\""
            : $"\"{value.GetString()![..40]}…\"",
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => "null",
    };
}
