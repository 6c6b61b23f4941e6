using System.Diagnostics.Metrics;

namespace ConvertroFunctions.Core.Delivery;

/// <summary>Counters for what became of each event: accepted, delivered, skipped (by reason), retried, dead-lettered.</summary>
public sealed class DeliveryMetrics
{
    public const string MeterName = "ConvertroFunctions";

    private readonly Counter<long> _accepted;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _deadLettered;

    public DeliveryMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _accepted = meter.CreateCounter<long>("convertro.events.accepted", description: "Events accepted by ingest and enqueued");
        _delivered = meter.CreateCounter<long>("convertro.events.delivered", description: "Events whose Convertro calls all succeeded");
        _skipped = meter.CreateCounter<long>("convertro.events.skipped", description: "Events not sent, by reason");
        _retried = meter.CreateCounter<long>("convertro.events.retried", description: "Events re-enqueued after a transient failure");
        _deadLettered = meter.CreateCounter<long>("convertro.events.dead_lettered", description: "Events moved to the DeadLetters table");
    }

    public void Accepted(string workspaceId, int count) => _accepted.Add(count, Tag(workspaceId));

    public void Delivered(string workspaceId) => _delivered.Add(1, Tag(workspaceId));

    public void Skipped(string workspaceId, string reason) =>
        _skipped.Add(1, Tag(workspaceId), new KeyValuePair<string, object?>("reason", reason));

    public void Retried(string workspaceId) => _retried.Add(1, Tag(workspaceId));

    public void DeadLettered(string workspaceId) => _deadLettered.Add(1, Tag(workspaceId));

    private static KeyValuePair<string, object?> Tag(string workspaceId) => new("workspace", workspaceId);
}
