using Azure;
using Azure.Data.Tables;

namespace ConvertroFunctions.Core.Storage;

/// <summary>Deleting many rows of a table: whatever another writer removed meanwhile is not an error.</summary>
public static class TableDeletes
{
    /// <summary>
    /// Deletes the rows in entity-group transactions (one per partition, at most 100 rows each). A
    /// transaction that fails because a row is already gone (a replay, a purge, a second instance)
    /// is done again one row at a time, where a missing row is simply skipped.
    /// </summary>
    public static async Task DeleteAsync(TableClient table, IEnumerable<(string PartitionKey, string RowKey)> rows, CancellationToken ct)
    {
        foreach (var partition in rows.GroupBy(r => r.PartitionKey))
        {
            foreach (var chunk in partition.Chunk(100))
            {
                try
                {
                    await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(
                        TableTransactionActionType.Delete, new TableEntity(r.PartitionKey, r.RowKey), ETag.All)), ct);
                }
                catch (TableTransactionFailedException)
                {
                    foreach (var (partitionKey, rowKey) in chunk)
                    {
                        // DeleteEntityAsync answers a missing row without an exception.
                        await table.DeleteEntityAsync(partitionKey, rowKey, ETag.All, ct);
                    }
                }
            }
        }
    }
}
