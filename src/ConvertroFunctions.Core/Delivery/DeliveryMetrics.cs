using System.Diagnostics.Metrics;
using ConvertroFunctions.Core.Monitoring;
using ConvertroFunctions.Core.Stats;

namespace ConvertroFunctions.Core.Delivery;

/// <summary>
/// The one place outcomes are counted: what became of each event (accepted, delivered, skipped by
/// reason, retried, dead-lettered by reason code), requests refused for their signature, and how
/// long delivered events waited. Each goes to the <c>ConvertroFunctions</c> meter (exported to Azure
/// Monitor) and to <see cref="EventCounts"/> (the stats API and the console). The names are
/// <see cref="MetricNames"/>; docs/operations.md says which to alert on.
/// </summary>
public sealed class DeliveryMetrics
{
    public const string MeterName = MetricNames.Meter;

    private readonly Counter<long> _accepted;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _signatureRejected;
    private readonly Counter<long> _storageWaits;
    private readonly Histogram<double> _lag;

    private readonly EventCounts _counts;

    public DeliveryMetrics(IMeterFactory meterFactory, EventCounts counts)
    {
        _counts = counts;
        var meter = meterFactory.Create(MeterName);
        _accepted = meter.CreateCounter<long>(MetricNames.Accepted, description: "Events accepted by ingest and enqueued");
        _delivered = meter.CreateCounter<long>(MetricNames.Delivered, description: "Events whose Convertro calls all succeeded");
        _skipped = meter.CreateCounter<long>(MetricNames.Skipped, description: "Events not sent, by reason");
        _retried = meter.CreateCounter<long>(MetricNames.Retried, description: "Events re-enqueued after a transient failure");
        _deadLettered = meter.CreateCounter<long>(MetricNames.DeadLettered, description: "Events moved to the DeadLetters table");
        _signatureRejected = meter.CreateCounter<long>(MetricNames.SignatureRejected,
            description: "Requests refused (401) for a missing or wrong X-Signature; Segment does not retry them");
        _storageWaits = meter.CreateCounter<long>(MetricNames.StorageWaits,
            description: "Events handed back to the queue to wait, because Table storage was unavailable (not a failed attempt)");
        _lag = meter.CreateHistogram<double>(MetricNames.DeliveryLag, unit: "s",
            description: "From ingest accepting an event to Convertro accepting its last call");
    }

    public void Accepted(string workspaceId, int count)
    {
        _accepted.Add(count, Tag(workspaceId));
        _counts.Received(workspaceId, count);
    }

    public void Delivered(string workspaceId, TimeSpan lag)
    {
        _delivered.Add(1, Tag(workspaceId));
        _counts.Delivered(workspaceId);
        _lag.Record(Math.Max(0, lag.TotalSeconds), Tag(workspaceId));
    }

    public void SignatureRejected(string workspaceId) => _signatureRejected.Add(1, Tag(workspaceId));

    public void Skipped(string workspaceId, string reason)
    {
        _skipped.Add(1, Tag(workspaceId), new KeyValuePair<string, object?>(MetricNames.Tags.Reason, reason));
        _counts.Skipped(workspaceId, reason);
    }

    public void Retried(string workspaceId)
    {
        _retried.Add(1, Tag(workspaceId));
        _counts.Retrying(workspaceId);
    }

    public void DeadLettered(string workspaceId, string reasonCode)
    {
        _deadLettered.Add(1, Tag(workspaceId), new KeyValuePair<string, object?>(MetricNames.Tags.Reason, reasonCode));
        _counts.DeadLettered(workspaceId, reasonCode);
    }

    /// <summary>Events handed back because Table storage was unavailable: an outage, seen as it happens.</summary>
    public void StorageWaited(string workspaceId, int events) => _storageWaits.Add(events, Tag(workspaceId));

    private static KeyValuePair<string, object?> Tag(string workspaceId) => new(MetricNames.Tags.Workspace, workspaceId);
}
