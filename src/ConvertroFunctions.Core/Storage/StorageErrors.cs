using System.Net.Sockets;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace ConvertroFunctions.Core.Storage;

/// <summary>Recognising storage outages, and creating a queue the first time it is used (tables: <see cref="KnownTables"/>).</summary>
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

    public static bool IsTableNotFound(RequestFailedException ex) => ex.ErrorCode == TableErrorCode.TableNotFound;

    /// <summary>
    /// How long storage asked the caller to wait (its Retry-After), when an outage answer said so; the
    /// answer is found on the exception or, after the SDK's own retries, on the last one they gave up on.
    /// </summary>
    public static TimeSpan? RetryAfter(Exception exception) => exception switch
    {
        RequestFailedException rfe when rfe.GetRawResponse()?.Headers.TryGetValue("Retry-After", out var value) == true
            && int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) => TimeSpan.FromSeconds(seconds),
        AggregateException ae => ae.InnerExceptions.Select(RetryAfter).LastOrDefault(r => r is not null),
        { InnerException: { } inner } => RetryAfter(inner),
        _ => null,
    };
}
