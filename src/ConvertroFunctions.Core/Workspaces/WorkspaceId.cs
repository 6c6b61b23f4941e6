using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace ConvertroFunctions.Core.Workspaces;

/// <summary>
/// Workspace ids appear in URLs and as Table keys: letters, digits, '-' and '_' only. They are
/// case-insensitive: <c>Acme</c> and <c>acme</c> name one workspace, stored lower-case, so a webhook
/// URL typed with other capitals still reaches it (Segment drops what a 404 refuses).
/// </summary>
public static partial class WorkspaceId
{
    public const string Rule = "1–64 characters: letters, digits, '-' or '_', starting with a letter or digit (case does not matter)";

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    /// <summary>The id as stored (lower-case), when <paramref name="raw"/> is a valid id.</summary>
    public static bool TryNormalize(string? raw, [NotNullWhen(true)] out string? id)
    {
        id = IsValid(raw) ? raw!.ToLowerInvariant() : null;
        return id is not null;
    }

    // \z, not $: '$' also matches before a final newline, and "acme\n" would then reach storage.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
