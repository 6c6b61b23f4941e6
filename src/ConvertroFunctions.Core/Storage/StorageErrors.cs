using System.Net.Sockets;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace ConvertroFunctions.Core.Storage;

/// <summary>Recognising storage outages, and creating queues and tables the first time they are used.</summary>
public static class StorageErrors
{
    /// <summary>
    /// True when storage could not be reached or answered with a server-side error: the caller
    /// should answer 503 so the sender retries.
    /// </summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        RequestFailedException rfe => rfe.Status is 0 or 408 or 429 or >= 500 || InnerIsUnavailable(rfe.InnerException),
        AggregateException ae => ae.InnerExceptions.Count > 0 && ae.InnerExceptions.All(IsUnavailable),
        HttpRequestException or SocketException or IOException or TimeoutException => true,
        TaskCanceledException tce => tce.CancellationToken == default || !tce.CancellationToken.IsCancellationRequested,
        _ => false,
    };

    private static bool InnerIsUnavailable(Exception? inner) => inner is not null && IsUnavailable(inner);

    /// <summary>Runs a queue operation, creating the queue and trying once more if it does not exist yet.</summary>
    public static async Task<T> WithQueueAsync<T>(QueueClient queue, Func<Task<T>> operation, CancellationToken ct)
    {
        try
        {
            return await operation();
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.QueueNotFound)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: ct);
            return await operation();
        }
    }

    /// <summary>Runs a table write, creating the table and trying once more if it does not exist yet.</summary>
    public static async Task<T> WithTableAsync<T>(TableClient table, Func<Task<T>> operation, CancellationToken ct)
    {
        try
        {
            return await operation();
        }
        catch (RequestFailedException ex) when (IsTableNotFound(ex))
        {
            await table.CreateIfNotExistsAsync(ct);
            return await operation();
        }
    }

    public static bool IsTableNotFound(RequestFailedException ex) => ex.ErrorCode == TableErrorCode.TableNotFound;
}
