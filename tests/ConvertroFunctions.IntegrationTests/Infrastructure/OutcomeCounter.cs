using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ConvertroFunctions.Core.Delivery;
using ConvertroFunctions.LocalHost;
using Microsoft.Extensions.DependencyInjection;

namespace ConvertroFunctions.IntegrationTests.Infrastructure;

/// <summary>
/// Listens to one of the host's event counters (convertro.events.skipped by default) for one
/// workspace, by reason ("" for counters without one).
/// </summary>
public sealed class OutcomeCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _byReason = new();

    public const string Skipped = "convertro.events.skipped", Retried = "convertro.events.retried",
        Delivered = "convertro.events.delivered", DeadLettered = "convertro.events.dead_lettered",
        SignatureRejected = "convertro.ingest.signature_rejected", DeliveryLag = "convertro.events.delivery_lag";

    public OutcomeCounter(LocalHostInstance host, string workspaceId, string instrumentName = Skipped)
    {
        var factory = host.App.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Name == instrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? workspace = null, reason = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "workspace") workspace = tag.Value as string;
                if (tag.Key == "reason") reason = tag.Value as string;
            }
            if (workspace == workspaceId)
            {
                _byReason.AddOrUpdate(reason ?? "", value, (_, total) => total + value);
            }
        });
        // A histogram (delivery lag) counts its measurements; Max keeps the largest.
        _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "workspace" && tag.Value as string == workspaceId)
                {
                    _byReason.AddOrUpdate("", 1, (_, total) => total + 1);
                    Max = Math.Max(Max, value);
                }
            }
        });
        _listener.Start();
    }

    public long Total => _byReason.Values.Sum();

    public double Max { get; private set; }

    public Dictionary<string, long> ByReason => new(_byReason);

    public override string ToString() => string.Join(", ", _byReason.Select(kv => $"{kv.Key}={kv.Value}"));

    public void Dispose() => _listener.Dispose();
}
