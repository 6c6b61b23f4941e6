namespace ConvertroFunctions.LocalHost.Queues;

/// <summary>
/// The Functions host's queue settings: host.json <c>extensions.queues</c>, overridable like the
/// real host with <c>AzureFunctionsJobHost__extensions__queues__*</c>. Defaults are the host's.
/// </summary>
public sealed class QueueHostOptions
{
    public const string SectionName = "AzureFunctionsJobHost:extensions:queues";

    /// <summary>Where <see cref="MessageLease"/> is read from: a LocalHost setting, not a host.json one.</summary>
    public const string MessageLeaseSetting = "LocalHost:MessageLease";

    /// <summary>
    /// How long a received message stays invisible while it is processed; renewed at half-time. The
    /// Functions host's is fixed at 10 minutes, which is also how long a message of a crashed host
    /// stays hidden; LocalHost lets tests shorten it (<c>LocalHost__MessageLease</c>).
    /// </summary>
    public TimeSpan MessageLease { get; set; } = TimeSpan.FromMinutes(10);

    public int BatchSize { get; set; } = 16;

    /// <summary>Fetch the next batch when this few messages are still in flight; default batchSize/2 × cores.</summary>
    public int? NewBatchThreshold { get; set; }

    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Delay before a failed message becomes visible again.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;

    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>"base64" (the default) or "none".</summary>
    public string MessageEncoding { get; set; } = "base64";

    public int EffectiveNewBatchThreshold => NewBatchThreshold ?? BatchSize / 2 * Environment.ProcessorCount;

    public bool Base64 => !string.Equals(MessageEncoding, "none", StringComparison.OrdinalIgnoreCase);

    public void Validate()
    {
        if (BatchSize is < 1 or > 32)
        {
            throw new InvalidOperationException($"host.json extensions.queues.batchSize must be 1–32; got {BatchSize}.");
        }
        if (MaxDequeueCount < 1)
        {
            throw new InvalidOperationException($"host.json extensions.queues.maxDequeueCount must be at least 1; got {MaxDequeueCount}.");
        }
        if (MaxPollingInterval < TimeSpan.FromMilliseconds(100))
        {
            throw new InvalidOperationException($"host.json extensions.queues.maxPollingInterval must be at least 00:00:00.1 (a TimeSpan, not a number); got {MaxPollingInterval}.");
        }
        if (MessageLease < TimeSpan.FromSeconds(2))
        {
            throw new InvalidOperationException($"{MessageLeaseSetting} must be at least 00:00:02; got {MessageLease}.");
        }
        if (!Base64 && !string.Equals(MessageEncoding, "none", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"host.json extensions.queues.messageEncoding must be base64 or none; got '{MessageEncoding}'.");
        }
    }
}
