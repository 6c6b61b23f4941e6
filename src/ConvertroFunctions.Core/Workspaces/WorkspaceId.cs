using System.Text.RegularExpressions;

namespace ConvertroFunctions.Core.Workspaces;

/// <summary>Workspace ids appear in URLs and as Table keys: letters, digits, '-' and '_' only.</summary>
public static partial class WorkspaceId
{
    public const string Rule = "1–64 characters: letters, digits, '-' or '_', starting with a letter or digit";

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
