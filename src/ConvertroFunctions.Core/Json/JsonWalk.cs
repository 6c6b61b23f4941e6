using System.Text.Json;

namespace ConvertroFunctions.Core.Json;

/// <summary>
/// Every value of a parsed document with its path, for errors that name the field at fault: a field
/// of the root by its name (<c>userId</c>), deeper ones dotted and indexed (<c>properties.list[1]</c>).
/// Documents are parsed with a depth limit of 64, so the recursion is shallow.
/// </summary>
internal static class JsonWalk
{
    /// <summary>The path of the unreadable property name under an object at <c>path</c>.</summary>
    public const string UnreadableName = ".<a property name>";

    /// <param name="path">The path of <paramref name="element"/> itself.</param>
    /// <param name="root">The path whose fields are named on their own (the root's own path, or "" to name them under it).</param>
    /// <param name="check">The finding for one value at its path, or null to go on.</param>
    /// <param name="unreadableName">
    /// The finding for a property name that cannot be read as text (an unpaired surrogate escape),
    /// given the path to it; the walk cannot name what lies below it, so it stops there.
    /// </param>
    /// <returns>The first finding, depth first, or null.</returns>
    public static string? First(JsonElement element, string path, string root,
        Func<JsonElement, string, string?> check, Func<string, string?> unreadableName)
    {
        if (check(element, path) is { } found)
        {
            return found;
        }
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return unreadableName(path + UnreadableName);
                    }
                    if (First(property.Value, path == root ? name : $"{path}.{name}", root, check, unreadableName) is { } inner)
                    {
                        return inner;
                    }
                }
                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (First(item, $"{path}[{index++}]", root, check, unreadableName) is { } inner)
                    {
                        return inner;
                    }
                }
                return null;
            default:
                return null;
        }
    }
}
