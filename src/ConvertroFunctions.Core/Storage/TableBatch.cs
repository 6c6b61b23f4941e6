using Azure;
using Azure.Data.Tables;

namespace ConvertroFunctions.Core.Storage;

/// <summary>What became of one write of a <see cref="TableBatch"/>: its new ETag, or why Table storage refused it.</summary>
public readonly record struct TableWriteResult(ETag? ETag, RequestFailedException? Error)
{
    public bool Succeeded => Error is null;

    /// <summary>The write was conditional and the entity changed (412), or was there already for an insert (409).</summary>
    public bool Conflicted => Error?.Status is 409 or 412;

    /// <summary>The entity was not there for an update (404, the table itself present).</summary>
    public bool Missing => Error is { Status: 404 } e && !StorageErrors.IsTableNotFound(e);
}

/// <summary>
/// The one batching helper for Table writes (docs/architecture.md, "Storage map"): writes grouped
/// by partition (partitions at once), in entity-group transactions of at most 100; a lone write
/// goes as a plain request, cheaper than a transaction of one. When a transaction fails because
/// of one entity (a conflict, a value Table storage refuses), its writes are made one at a time,
/// and every one of them is tried: one bad entity never keeps the others from being written. The
/// answer holds one result per write, in order. A storage outage (or a missing table) is not a
/// per-entity answer: it is thrown, for the caller to wait or to create the table.
/// </summary>
public static class TableBatch
{
    /// <summary>Entity-group transactions hold at most 100 operations.</summary>
    public const int MaxTransaction = 100;

    /// <param name="transactions">The storage account's lean transactions (<see cref="StorageClients.Transactions"/>); null: the SDK's.</param>
    public static async Task<TableWriteResult[]> SubmitAsync(TableClient table, IReadOnlyList<TableTransactionAction> actions, TableTransactions? transactions, CancellationToken ct)
    {
        var results = new TableWriteResult[actions.Count];
        await Task.WhenAll(Enumerable.Range(0, actions.Count).GroupBy(i => actions[i].Entity.PartitionKey, StringComparer.Ordinal).Select(async partition =>
        {
            foreach (var chunk in partition.Chunk(MaxTransaction))
            {
                await SubmitChunkAsync(table, actions, chunk, results, transactions, ct);
            }
        }));
        return results;
    }

    /// <summary>Throws unless every write succeeded (for writers with nothing to do about a refused entity but report it).</summary>
    public static void ThrowIfAnyFailed(IEnumerable<TableWriteResult> results, Func<TableWriteResult, bool>? acceptable = null)
    {
        var failed = results.Where(r => !r.Succeeded && acceptable?.Invoke(r) != true).Select(r => (Exception)r.Error!).ToList();
        if (failed.Count > 0)
        {
            throw new AggregateException($"Table storage refused {failed.Count} write(s).", failed);
        }
    }

    private static async Task SubmitChunkAsync(
        TableClient table, IReadOnlyList<TableTransactionAction> actions, int[] chunk, TableWriteResult[] results, TableTransactions? transactions, CancellationToken ct)
    {
        if (chunk.Length > 1)
        {
            try
            {
                var transaction = chunk.Select(i => actions[i]).ToList();
                var etags = transactions is not null && TableTransactions.CanWrite(transaction)
                    ? await transactions.SubmitAsync(table, transaction, ct)
                    : [.. (await table.SubmitTransactionAsync(transaction, ct)).Value.Select(r => r.Headers.ETag)];
                for (var i = 0; i < chunk.Length; i++)
                {
                    results[chunk[i]] = new TableWriteResult(etags[i], null);
                }
                return;
            }
            catch (TableTransactionFailedException)
            {
                // One entity was refused and none was written: each on its own, below.
            }
        }
        foreach (var i in chunk)
        {
            try
            {
                results[i] = new TableWriteResult((await WriteOneAsync(table, actions[i], ct)).Headers.ETag, null);
            }
            catch (RequestFailedException ex) when (!StorageErrors.IsUnavailable(ex) && !StorageErrors.IsTableNotFound(ex))
            {
                results[i] = new TableWriteResult(null, ex);
            }
        }
    }

    private static Task<Response> WriteOneAsync(TableClient table, TableTransactionAction action, CancellationToken ct) => action.ActionType switch
    {
        TableTransactionActionType.Add => table.AddEntityAsync(action.Entity, ct),
        TableTransactionActionType.UpdateReplace => table.UpdateEntityAsync(action.Entity, action.ETag, TableUpdateMode.Replace, ct),
        TableTransactionActionType.UpdateMerge => table.UpdateEntityAsync(action.Entity, action.ETag, TableUpdateMode.Merge, ct),
        TableTransactionActionType.UpsertReplace => table.UpsertEntityAsync(action.Entity, TableUpdateMode.Replace, ct),
        TableTransactionActionType.UpsertMerge => table.UpsertEntityAsync(action.Entity, TableUpdateMode.Merge, ct),
        // A row already gone answers 404 without an exception: deleted is deleted.
        TableTransactionActionType.Delete => table.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, action.ETag, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(action), action.ActionType, "Unknown table action."),
    };
}
