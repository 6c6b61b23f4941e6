using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Stats;

/// <summary>The <c>Stats</c> configuration section (env <c>Stats__*</c>).</summary>
public sealed class StatsOptions
{
    public const string SectionName = "Stats";

    /// <summary>How often each instance writes its counts: how far the stats may lag behind.</summary>
    [Range(1, 60)]
    public int FlushSeconds { get; set; } = 15;
}

/// <summary>Checks <see cref="StatsOptions"/> at start (source-generated from its annotations).</summary>
[OptionsValidator]
public sealed partial class StatsOptionsValidator : IValidateOptions<StatsOptions>;
