using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ConvertroFunctions.Core.Delivery;
using ConvertroFunctions.LocalHost;
using Microsoft.Extensions.DependencyInjection;

namespace ConvertroFunctions.IntegrationTests.Infrastructure;

/// <summary>Listens to the host's convertro.events.skipped counter for one workspace, by reason.</summary>
public sealed class SkipCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _byReason = new();

    public SkipCounter(LocalHostInstance host, string workspaceId)
    {
        var factory = host.App.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Name == "convertro.events.skipped")
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
            if (workspace == workspaceId && reason is not null)
            {
                _byReason.AddOrUpdate(reason, value, (_, total) => total + value);
            }
        });
        _listener.Start();
    }

    public long Total => _byReason.Values.Sum();

    public Dictionary<string, long> ByReason => new(_byReason);

    public override string ToString() => string.Join(", ", _byReason.Select(kv => $"{kv.Key}={kv.Value}"));

    public void Dispose() => _listener.Dispose();
}
