using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Core.Idempotency;

/// <summary>
/// Which calls of which Segment messageId were delivered, in one table per UTC day
/// (<c>Delivered{yyyyMMdd}</c>; PartitionKey = workspace id and a bucket of the messageId, RowKey = messageId). A claim checks
/// yesterday's and today's tables, so a repeat is recognised for at least 24 hours; tables older
/// than yesterday are dropped whole, which costs one request per day instead of one per event.
/// An entity holds the delivered call keys and a lease: the delivery holding the lease is the only
/// one sending, and a crashed delivery's lease runs out so a redelivered copy can take over.
/// Cost per event with calls: 1 read + 1 insert + 1 update per delivered call (docs/operations.md).
/// A messageId is complete once its last call is recorded; a later copy sends nothing, even if it
/// maps to other calls (Segment's messageId names one event).
/// </summary>
public sealed partial class DeliveryLedger(
    StorageClients clients, TimeProvider time, IOptions<IdempotencyOptions> options, ILogger<DeliveryLedger> logger)
{
    public const string TablePrefix = "Delivered";
    private const string DeliveredProperty = "Delivered";
    private const string LeaseProperty = "LeaseUntil";
    private const string CompleteProperty = "Complete";
    private readonly ConcurrentDictionary<string, Lazy<Task>> _ready = new();
    private readonly TimeSpan _lease = TimeSpan.FromSeconds(options.Value.LeaseSeconds);

    public static string TableName(DateTimeOffset day) =>
        TablePrefix + day.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <param name="known">Calls an earlier attempt already recorded in its retry state.</param>
    /// <param name="callKeys">Every call the event maps to.</param>
    public async Task<LedgerClaim> ClaimAsync(string workspaceId, string? messageId, IEnumerable<string> known,
        IReadOnlyList<string> callKeys, CancellationToken ct)
    {
        if (!options.Value.Enabled || string.IsNullOrEmpty(messageId))
        {
            return LedgerClaim.Unrecorded(known);
        }
        var now = time.GetUtcNow();
        var rowKey = RowKeyFor(messageId);
        var partition = PartitionFor(workspaceId, messageId);
        var delivered = new HashSet<string>(known);

        // A repeat shortly after midnight finds the first delivery in yesterday's table.
        var prior = await ReadAsync(clients.Tables.GetTableClient(TableName(now.AddDays(-1))), partition, rowKey, ct);
        if (prior is not null && Decide(prior, delivered, callKeys, now) is { } decided)
        {
            return decided;
        }

        var today = await TodayAsync(now, ct);
        try
        {
            var added = await today.AddEntityAsync(Entity(partition, rowKey, delivered, now + _lease), ct);
            return new LedgerClaim(ClaimKind.Owned, delivered, today, partition, rowKey, added.Headers.ETag ?? ETag.All);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Recorded today already: a repeat, or a copy in flight, or one that crashed.
        }

        var existing = await ReadAsync(today, partition, rowKey, ct);
        if (existing is null)
        {
            return new LedgerClaim(ClaimKind.InFlight, delivered, retryAfter: _lease);
        }
        if (Decide(existing, delivered, callKeys, now) is { } settled)
        {
            return settled;
        }
        try
        {
            var taken = await today.UpdateEntityAsync(
                Entity(partition, rowKey, delivered, now + _lease), existing.ETag, TableUpdateMode.Replace, ct);
            LogTakenOver(logger, messageId, workspaceId, delivered.Count);
            return new LedgerClaim(ClaimKind.Owned, delivered, today, partition, rowKey, taken.Headers.ETag ?? ETag.All);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return new LedgerClaim(ClaimKind.InFlight, delivered, retryAfter: _lease);
        }
    }

    /// <summary>
    /// Records one delivered call. With <paramref name="complete"/> (the event's last call) the
    /// messageId is done: any later copy is skipped whatever it maps to, and the lease is let go in
    /// the same write.
    /// </summary>
    public async Task MarkDeliveredAsync(LedgerClaim claim, string callKey, bool complete, CancellationToken ct)
    {
        claim.Delivered.Add(callKey);
        if (!claim.IsRecorded)
        {
            return;
        }
        var update = new TableEntity(claim.PartitionKey, claim.RowKey) { [DeliveredProperty] = Join(claim.Delivered) };
        if (complete)
        {
            update[CompleteProperty] = true;
            update[LeaseProperty] = time.GetUtcNow();
        }
        try
        {
            var response = await claim.Table!.UpdateEntityAsync(update, claim.ETag, TableUpdateMode.Merge, ct);
            claim.ETag = response.Headers.ETag ?? ETag.All;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // Our lease ran out and another copy took over: keep what both delivered.
            var current = await ReadAsync(claim.Table!, claim.PartitionKey!, claim.RowKey!, ct);
            claim.Delivered.UnionWith(current is null ? [] : Keys(current));
            update[DeliveredProperty] = Join(claim.Delivered);
            var response = await claim.Table!.UpdateEntityAsync(update, ETag.All, TableUpdateMode.Merge, ct);
            claim.ETag = response.Headers.ETag ?? ETag.All;
        }
    }

    /// <summary>Gives the claim up after a failure, so the retry (or a replay) may take it at once.</summary>
    public async Task ReleaseAsync(LedgerClaim claim, CancellationToken ct)
    {
        if (!claim.IsRecorded)
        {
            return;
        }
        var update = new TableEntity(claim.PartitionKey, claim.RowKey) { [LeaseProperty] = time.GetUtcNow() };
        try
        {
            await claim.Table!.UpdateEntityAsync(update, claim.ETag, TableUpdateMode.Merge, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // Another copy holds it now; it is not ours to release.
        }
    }

    private LedgerClaim? Decide(TableEntity entity, HashSet<string> delivered, IReadOnlyList<string> callKeys, DateTimeOffset now)
    {
        delivered.UnionWith(Keys(entity));
        if (entity.GetBoolean(CompleteProperty) == true || callKeys.All(delivered.Contains))
        {
            return new LedgerClaim(ClaimKind.AlreadyDelivered, delivered);
        }
        var leaseUntil = entity.GetDateTimeOffset(LeaseProperty) ?? DateTimeOffset.MinValue;
        return leaseUntil > now ? new LedgerClaim(ClaimKind.InFlight, delivered, retryAfter: leaseUntil - now) : null;
    }

    private Task<TableClient> TodayAsync(DateTimeOffset now, CancellationToken ct)
    {
        var name = TableName(now);
        var ready = _ready.GetOrAdd(name, n => new Lazy<Task>(() => CreateAndPurgeAsync(n, now)));
        return AwaitAsync(ready, name, ct);
    }

    private async Task<TableClient> AwaitAsync(Lazy<Task> ready, string name, CancellationToken ct)
    {
        try
        {
            await ready.Value.WaitAsync(ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            _ready.TryRemove(new KeyValuePair<string, Lazy<Task>>(name, ready));
            throw;
        }
        return clients.Tables.GetTableClient(name);
    }

    /// <summary>Creates today's table and drops the ones before yesterday (once per day per instance).</summary>
    private async Task CreateAndPurgeAsync(string name, DateTimeOffset now)
    {
        await clients.Tables.CreateTableIfNotExistsAsync(name);
        var oldest = TableName(now.AddDays(-1));
        try
        {
            await foreach (var table in clients.Tables.QueryAsync(filter: (string?)null))
            {
                if (table.Name.StartsWith(TablePrefix, StringComparison.Ordinal)
                    && table.Name.Length == name.Length && string.CompareOrdinal(table.Name, oldest) < 0)
                {
                    await clients.Tables.DeleteTableAsync(table.Name);
                    LogDropped(logger, table.Name);
                }
            }
        }
        catch (RequestFailedException ex)
        {
            LogPurgeFailed(logger, ex);
        }
    }

    private static async Task<TableEntity?> ReadAsync(TableClient table, string partitionKey, string rowKey, CancellationToken ct)
    {
        try
        {
            var response = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: ct);
            return response.HasValue ? response.Value : null;
        }
        catch (RequestFailedException ex) when (StorageErrors.IsTableNotFound(ex) || ex.Status == 404)
        {
            return null;
        }
    }

    private static TableEntity Entity(string partitionKey, string rowKey, IEnumerable<string> delivered, DateTimeOffset leaseUntil) =>
        new(partitionKey, rowKey) { [DeliveredProperty] = Join(delivered), [LeaseProperty] = leaseUntil };

    private static string[] Keys(TableEntity entity) =>
        entity.GetString(DeliveredProperty) is { Length: > 0 } json
            ? JsonSerializer.Deserialize(json, CoreJsonContext.Default.StringArray) ?? []
            : [];

    private static string Join(IEnumerable<string> keys) =>
        JsonSerializer.Serialize(keys.Order(StringComparer.Ordinal).ToArray(), CoreJsonContext.Default.StringArray);

    /// <summary>
    /// The workspace and one of <see cref="Buckets"/> buckets by messageId: a table partition serves
    /// about 2,000 entity operations a second, which at 3 per event would cap one workspace near
    /// 670 events/s; spread over 16 it is the storage account's limit that counts.
    /// </summary>
    internal static string PartitionFor(string workspaceId, string messageId)
    {
        // FNV-1a over the UTF-16 code units: stable across processes, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var c in messageId)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return $"{workspaceId}.{hash % Buckets:x1}";
    }

    /// <summary>Partitions per workspace (workspace ids never contain '.', so the key is unambiguous).</summary>
    internal const int Buckets = 16;

    /// <summary>
    /// Percent-encoding keeps every messageId distinct and removes the characters a RowKey may not
    /// hold (/ \ # ? and control characters); very long ids are hashed (':' never survives encoding).
    /// </summary>
    internal static string RowKeyFor(string messageId)
    {
        var escaped = Uri.EscapeDataString(messageId);
        return escaped.Length <= 512
            ? escaped
            : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(messageId)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Took over event {MessageId} of workspace {WorkspaceId} after its previous delivery's lease ran out ({Delivered} call(s) already delivered)")]
    private static partial void LogTakenOver(ILogger logger, string messageId, string workspaceId, int delivered);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped idempotency table {Table}: older than the 24-hour window")]
    private static partial void LogDropped(ILogger logger, string table);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not drop old idempotency tables; will try again tomorrow")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
