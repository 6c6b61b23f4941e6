using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Ingest;

/// <summary>The <c>Ingest</c> configuration section (env <c>Ingest__*</c>).</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    /// <summary>
    /// Largest body accepted: 16 MiB by default. Segment's webhook batches hold up to 4,000 events
    /// and are routinely several MB; no single event is over 32 KiB.
    /// </summary>
    [Range(1024, 100 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Most events one body may hold: 4,000 by default, Segment's largest batch. A body with more is
    /// refused (413) without being split past the cap, so a flood of tiny elements costs no more
    /// than a full batch (docs/api.md, "Limits").
    /// </summary>
    [Range(1, 100_000)]
    public int MaxEventsPerBody { get; set; } = 4000;

    /// <summary>
    /// Every workspace must sign: one without a <c>sharedSecret</c> answers 401. On in the Bicep
    /// deployment, off by default (local runs).
    /// </summary>
    public bool RequireSignature { get; set; }
}

/// <summary>Checks <see cref="IngestOptions"/> at start (source-generated from its annotations).</summary>
[OptionsValidator]
public sealed partial class IngestOptionsValidator : IValidateOptions<IngestOptions>;
