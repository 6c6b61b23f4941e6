using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Ledger;

/// <summary>
/// The event ledger's settings: the <c>Ledger</c> section (env <c>Ledger__*</c>). Its first name,
/// <c>Idempotency</c> (env <c>Idempotency__*</c>), which deployments already set, is still read as an
/// alias; where both set a value, <c>Ledger</c> wins (docs/architecture.md, "Configuration").
/// </summary>
public sealed class LedgerOptions
{
    public const string SectionName = "Ledger";

    /// <summary>The section's first name, read before <see cref="SectionName"/>.</summary>
    public const string AliasSectionName = "Idempotency";

    /// <summary>
    /// Record each event's state in Table storage: a repeat of its messageId (Segment's retries, a
    /// re-sent batch, queue redelivery) sends nothing again for at least 24 hours, and the event
    /// lookup can say what happened to it. Off: plain at-least-once, and no lookups.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How long one delivery holds the events of its queue message before another copy may take
    /// them over (after a crash). Renewed while the delivery runs, so it only bounds how long a
    /// crashed delivery's events wait.
    /// </summary>
    [Range(2, 3600)]
    public int LeaseSeconds { get; set; } = 120;

    /// <summary>
    /// Table partitions per workspace and day. With one, the events of a queue message share a
    /// partition: one transaction claims them and one records their outcomes. A partition serves
    /// about 2,000 entity operations a second and each event costs two, so one caps a workspace near
    /// 1,000 events/s; each further partition raises that by as much and costs two more transactions
    /// per queue message (docs/decisions.md, "The event ledger"). Changing it makes records written
    /// before the change invisible to lookups and repeats until they expire (48 h).
    /// </summary>
    [Range(1, 64)]
    public int Partitions { get; set; } = 1;
}

/// <summary>Checks <see cref="LedgerOptions"/> at start (source-generated from its annotations).</summary>
[OptionsValidator]
public sealed partial class LedgerOptionsValidator : IValidateOptions<LedgerOptions>;
