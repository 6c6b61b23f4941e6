using System.ComponentModel.DataAnnotations;

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

/// <summary>The <c>DeadLetters</c> configuration section (env <c>DeadLetters__*</c>).</summary>
public sealed class DeadLetterOptions
{
    public const string SectionName = "DeadLetters";

    /// <summary>Dead letters hold whole events (personal data): the retention job removes them after this many days.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;
}
