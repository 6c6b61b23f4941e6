using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Workspaces;

/// <summary>Options for the <c>Workspaces</c> section.</summary>
public sealed class WorkspaceOptions
{
    public const string SectionName = "Workspaces";

    /// <summary>How long settings are cached in memory; an edit takes effect within this time.</summary>
    [Range(0, 3600)]
    public int CacheSeconds { get; set; } = 30;
}

/// <summary>Checks <see cref="WorkspaceOptions"/> at start (source-generated from its annotations).</summary>
[OptionsValidator]
public sealed partial class WorkspaceOptionsValidator : IValidateOptions<WorkspaceOptions>;
