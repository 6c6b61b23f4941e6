namespace ConvertroFunctions.Core.Monitoring;

/// <summary>
/// Every metric name and tag the app exports, in one place (docs/operations.md, "Monitoring"): the
/// instruments are created from these constants, and the infra tests check that every metric
/// infra/ (the workbook and the alert rules) names is one of them and that each alert reads a
/// metric the code publishes. A metric lands in Application Insights' customMetrics under its name.
/// </summary>
public static class MetricNames
{
    /// <summary>The meter every instrument belongs to; the Functions app exports it by this name.</summary>
    public const string Meter = "ConvertroFunctions";

    /// <summary>Counter: events accepted by ingest and enqueued (tag workspace).</summary>
    public const string Accepted = "convertro.events.accepted";

    /// <summary>Counter: events whose Convertro calls all succeeded (tag workspace).</summary>
    public const string Delivered = "convertro.events.delivered";

    /// <summary>Counter: events not sent (tags workspace, reason: the skip code).</summary>
    public const string Skipped = "convertro.events.skipped";

    /// <summary>Counter: events re-enqueued after a transient failure (tag workspace).</summary>
    public const string Retried = "convertro.events.retried";

    /// <summary>Counter: events moved to the DeadLetters table (tags workspace, reason: the reason code).</summary>
    public const string DeadLettered = "convertro.events.dead_lettered";

    /// <summary>Counter: a delivery handed its message back because Table storage was unavailable (tag workspace).</summary>
    public const string StorageWaits = "convertro.events.storage_waits";

    /// <summary>Histogram, seconds: from ingest accepting an event to Convertro accepting its last call (tag workspace).</summary>
    public const string DeliveryLag = "convertro.events.delivery_lag";

    /// <summary>Counter: requests refused (401) for a missing or wrong X-Signature (tag workspace).</summary>
    public const string SignatureRejected = "convertro.ingest.signature_rejected";

    /// <summary>Gauge: messages in a queue, delayed retries included (tag queue).</summary>
    public const string QueueLength = "convertro.queue.length";

    /// <summary>Gauge, seconds: how long the oldest visible message of a queue has been waiting (tag queue).</summary>
    public const string OldestMessageAge = "convertro.queue.oldest_message_age";

    /// <summary>Gauge: dead letters stored in the DeadLetters table (tags workspace, reason).</summary>
    public const string DeadLettersStored = "convertro.dead_letters.stored";

    /// <summary>Every name above but the meter's.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Accepted, Delivered, Skipped, Retried, DeadLettered, StorageWaits, DeliveryLag, SignatureRejected,
        QueueLength, OldestMessageAge, DeadLettersStored,
    ];

    /// <summary>The tags (customDimensions in Application Insights).</summary>
    public static class Tags
    {
        public const string Workspace = "workspace";
        public const string Reason = "reason";
        public const string Queue = "queue";
    }
}
