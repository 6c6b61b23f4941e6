using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.DeadLetters;

/// <summary>The <c>DeadLetters</c> configuration section (env <c>DeadLetters__*</c>).</summary>
public sealed class DeadLetterOptions
{
    public const string SectionName = "DeadLetters";

    /// <summary>Dead letters hold whole events (personal data): the retention job removes them after this many days.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;
}

/// <summary>Checks <see cref="DeadLetterOptions"/> at start (source-generated from its annotations).</summary>
[OptionsValidator]
public sealed partial class DeadLetterOptionsValidator : IValidateOptions<DeadLetterOptions>;
