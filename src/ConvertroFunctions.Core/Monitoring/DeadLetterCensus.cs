using Azure;
using Azure.Data.Tables;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Storage;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Monitoring;

/// <summary>One workspace's dead letters of one reason: how many are stored, how many arrived within the window.</summary>
public sealed record DeadLetterCount(string WorkspaceId, string ReasonCode, long Stored, long Recent);

/// <summary>The dead letters stored when counted, and those written since <see cref="RecentSince"/>.</summary>
public sealed record DeadLetterCensus(IReadOnlyList<DeadLetterCount> Counts, DateTimeOffset RecentSince, DateTimeOffset CountedAt)
{
    public long Stored => Counts.Sum(c => c.Stored);

    public long Recent => Counts.Sum(c => c.Recent);
}

/// <summary>
/// Counts the DeadLetters table by workspace and reason code with one query that reads only
/// PartitionKey, RowKey and ReasonCode: one Table request per 1,000 dead letters stored
/// (docs/operations.md, "Backlog age"; docs/decisions.md, "Alerts"). A dead letter's id starts with its inverted write
/// time (<see cref="DeadLetter.OlderThan"/>), so the same rows say which arrived within the window.
/// </summary>
public sealed class DeadLetterCounter(DeadLetterStore store, TimeProvider time, IOptions<MonitoringOptions> options)
{
    private static readonly string[] Columns = ["PartitionKey", "RowKey", "ReasonCode"];

    public async Task<DeadLetterCensus> CountAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var since = now.AddMinutes(-options.Value.DeadLetterWindowMinutes);
        // Ids sort newest first: every id below this one was written after `since`.
        var recentBelow = DeadLetter.OlderThan(since);
        var counts = new Dictionary<(string Workspace, string Reason), (long Stored, long Recent)>();
        try
        {
            await foreach (var row in store.Table.QueryAsync<TableEntity>(filter: (string?)null, maxPerPage: DeadLetterStore.MaxPage, select: Columns, cancellationToken: ct))
            {
                // A row without a code reads as poison_message, as DeadLetterStore reads it.
                var key = (row.PartitionKey, row.GetString("ReasonCode") ?? ReasonCodes.PoisonMessage);
                var (stored, recent) = counts.GetValueOrDefault(key);
                counts[key] = (stored + 1, recent + (string.CompareOrdinal(row.RowKey, recentBelow) < 0 ? 1 : 0));
            }
        }
        catch (RequestFailedException ex) when (StorageErrors.IsTableNotFound(ex))
        {
            // No table yet: nothing has been dead-lettered.
        }
        return new DeadLetterCensus(
            [.. counts.Select(c => new DeadLetterCount(c.Key.Workspace, c.Key.Reason, c.Value.Stored, c.Value.Recent))
                .OrderBy(c => c.WorkspaceId, StringComparer.Ordinal).ThenBy(c => c.ReasonCode, StringComparer.Ordinal)],
            since, now);
    }
}
