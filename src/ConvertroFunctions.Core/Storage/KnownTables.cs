using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;

namespace ConvertroFunctions.Core.Storage;

/// <summary>
/// The one way this app makes sure a table exists (docs/architecture.md, "Storage map"): created the
/// first time this process uses it, remembered afterwards, and created again when a write finds it
/// missing (someone deleted it, or the retention job dropped it).
/// </summary>
public static class KnownTables
{
    /// <summary>Tables created so far in this process, by their full address (account and name).</summary>
    private static readonly ConcurrentDictionary<string, Lazy<Task>> Created = new(StringComparer.Ordinal);

    /// <summary>Creates the table the first time this process asks for it (a failed attempt is tried again next time).</summary>
    public static async Task<TableClient> EnsureAsync(TableClient table, CancellationToken ct)
    {
        var key = table.Uri.ToString();
        var ready = Created.GetOrAdd(key, _ => new Lazy<Task>(() => table.CreateIfNotExistsAsync()));
        try
        {
            await ready.Value.WaitAsync(ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            Created.TryRemove(new KeyValuePair<string, Lazy<Task>>(key, ready));
            throw;
        }
        return table;
    }

    /// <summary>The table turned out to be missing: the next <see cref="EnsureAsync"/> creates it again.</summary>
    public static void Forget(TableClient table) => Created.TryRemove(table.Uri.ToString(), out _);

    /// <summary>Runs a table write; when the table does not exist (yet, or any more), creates it and tries once more.</summary>
    public static async Task<T> WithTableAsync<T>(TableClient table, Func<Task<T>> operation, CancellationToken ct)
    {
        try
        {
            return await operation();
        }
        catch (RequestFailedException ex) when (StorageErrors.IsTableNotFound(ex))
        {
            Forget(table);
            await EnsureAsync(table, ct);
            return await operation();
        }
    }
}
