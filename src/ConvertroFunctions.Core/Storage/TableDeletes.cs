using Azure;
using Azure.Data.Tables;

namespace ConvertroFunctions.Core.Storage;

/// <summary>Deleting many rows of a table: whatever another writer removed meanwhile is not an error.</summary>
public static class TableDeletes
{
    /// <summary>
    /// Deletes the rows through <see cref="TableBatch"/> (transactions per partition; a row already
    /// gone, by a replay, a purge or a second instance, makes its transaction go one row at a time,
    /// where a missing row is simply skipped). Throws if a row could not be deleted.
    /// </summary>
    public static async Task DeleteAsync(TableClient table, IEnumerable<(string PartitionKey, string RowKey)> rows, TableTransactions? transactions, CancellationToken ct)
    {
        var actions = rows.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(r.PartitionKey, r.RowKey), ETag.All)).ToList();
        if (actions.Count > 0)
        {
            TableBatch.ThrowIfAnyFailed(await TableBatch.SubmitAsync(table, actions, transactions, ct), r => r.Error?.Status == 404);
        }
    }
}
