using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Privacy;

/// <summary>The <c>Privacy</c> configuration section (env <c>Privacy__*</c>).</summary>
public sealed class PrivacyOptions
{
    public const string SectionName = "Privacy";

    /// <summary>
    /// How long the product remembers which visitor codes (sid) it linked to a user id, so that a
    /// Segment delete can erase them in Convertro: 400 days, the longest attribution window
    /// customers use. Kept by month, so a link lives this long and at most a month more.
    /// </summary>
    [Range(30, 3650)]
    public int LinkRetentionDays { get; set; } = 400;
}

/// <summary>Checks <see cref="PrivacyOptions"/> at start (source-generated from its annotations).</summary>
[OptionsValidator]
public sealed partial class PrivacyOptionsValidator : IValidateOptions<PrivacyOptions>;
