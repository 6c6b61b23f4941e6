using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ConvertroFunctions.Core.Storage;

/// <summary>
/// Sends entity-group transactions to the storage emulator one at a time. Azurite keeps a single
/// rollback list for all transactions (Azurite 3.37, <c>LokiTableMetadataStore</c>): a transaction
/// that starts while another is being applied fails ("Transaction Overlap!"), and one that fails
/// can undo entities another wrote. Azure isolates transactions, so this is added only for the
/// emulator (a loopback endpoint or the development account), and is shared by every client of
/// that endpoint in the process (docs/decisions.md, "The event ledger").
/// </summary>
internal sealed class EmulatorTransactionGate : HttpPipelinePolicy
{
    private static readonly ConcurrentDictionary<string, EmulatorTransactionGate> Gates = new(StringComparer.OrdinalIgnoreCase);

    private readonly SemaphoreSlim _one = new(1, 1);

    private EmulatorTransactionGate()
    {
    }

    /// <summary>The gate for a Table endpoint, or null when it is not the emulator's.</summary>
    public static EmulatorTransactionGate? For(Uri tableEndpoint, string accountName) =>
        tableEndpoint.IsLoopback || string.Equals(accountName, "devstoreaccount1", StringComparison.Ordinal)
            ? Gates.GetOrAdd(tableEndpoint.GetLeftPart(UriPartial.Authority), _ => new EmulatorTransactionGate())
            : null;

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (!IsTransaction(message))
        {
            ProcessNext(message, pipeline);
            return;
        }
        _one.Wait(message.CancellationToken);
        try
        {
            ProcessNext(message, pipeline);
        }
        finally
        {
            _one.Release();
        }
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (!IsTransaction(message))
        {
            await ProcessNextAsync(message, pipeline);
            return;
        }
        await _one.WaitAsync(message.CancellationToken);
        try
        {
            await ProcessNextAsync(message, pipeline);
        }
        finally
        {
            _one.Release();
        }
    }

    private static bool IsTransaction(HttpMessage message) =>
        message.Request.Uri.Path.EndsWith("/$batch", StringComparison.Ordinal);
}
