using Azure.Core;
using Azure.Core.Pipeline;

namespace ConvertroFunctions.Fakes;

/// <summary>
/// Counts the requests a storage client sends, by service (the host of the endpoint's port tells
/// Azurite's table service from its queue service): added to every client through
/// <c>StorageClients.FromConfiguration(…, configure)</c>. Shared by the integration tests
/// (LedgerCostTests, EventLedgerTests) and the benchmarks' Table-request measurement.
/// </summary>
public sealed class TableRequestCounter(int tablePort) : HttpPipelinePolicy
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _byTable = new();
    private long _tables;

    public long TableRequests => Interlocked.Read(ref _tables);

    /// <summary>Requests by table (the first path segment after the account, digits dropped: "Events", "Stats", "$batch").</summary>
    public string Breakdown => string.Join(", ", _byTable.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: {kv.Value}"));

    /// <summary>Requests to one table (as <see cref="Breakdown"/> names it).</summary>
    public long RequestsTo(string table) => _byTable.GetValueOrDefault(table);

    public void Reset()
    {
        Interlocked.Exchange(ref _tables, 0);
        _byTable.Clear();
    }

    public void AddTo(ClientOptions options) => options.AddPolicy(this, HttpPipelinePosition.PerRetry);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        return ProcessNextAsync(message, pipeline);
    }

    private void Count(HttpMessage message)
    {
        if (message.Request.Uri.Port == tablePort)
        {
            Interlocked.Increment(ref _tables);
            var segments = message.Request.Uri.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            var table = segments.Length > 1 ? new string(segments[1].TakeWhile(c => c != '(' && !char.IsDigit(c)).ToArray()) : "?";
            _byTable.AddOrUpdate(table, 1, (_, n) => n + 1);
        }
    }
}
