using System.Text.Json;

namespace ConvertroFunctions.Core.Workspaces;

/// <summary>
/// Reads the events mapping in either form Segment has used: a text map
/// <c>{"Signed Up":"signup"}</c> or analytics.js's <c>[{"key":"Signed Up","value":"signup"}]</c>.
/// </summary>
internal static class EventsMappingReader
{
    private const int MaxNameLength = 256;

    public static List<KeyValuePair<string, string>> Read(JsonElement value, Action<string, string> add)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    AddPair(pairs, property.Name, property.Value, $"events['{property.Name}']", add);
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    var where = $"events[{i++}]";
                    if (item.ValueKind != JsonValueKind.Object
                        || !item.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.String)
                    {
                        add("events", $"{where}: must be an object {{\"key\": \"<Segment event>\", \"value\": \"<Convertro event>\"}}.");
                        continue;
                    }
                    item.TryGetProperty("value", out var mapped);
                    AddPair(pairs, key.GetString()!, mapped, where, add);
                }
                break;
            default:
                add("events", "Must be an object of \"Segment event\": \"Convertro event\" pairs, or an array of {\"key\":…,\"value\":…}.");
                break;
        }
        return pairs;
    }

    private static void AddPair(
        List<KeyValuePair<string, string>> pairs, string key, JsonElement mapped, string where, Action<string, string> add)
    {
        var trimmedKey = key.Trim();
        if (trimmedKey.Length == 0 || trimmedKey.Length > MaxNameLength)
        {
            add("events", $"{where}: the Segment event name must be 1–{MaxNameLength} characters.");
            return;
        }
        var value = mapped.ValueKind == JsonValueKind.String ? mapped.GetString()!.Trim() : null;
        if (string.IsNullOrEmpty(value) || value.Length > MaxNameLength)
        {
            add("events", $"{where}: the Convertro event name for '{trimmedKey}' must be a string of 1–{MaxNameLength} characters.");
            return;
        }
        pairs.Add(new(trimmedKey, value));
    }
}
