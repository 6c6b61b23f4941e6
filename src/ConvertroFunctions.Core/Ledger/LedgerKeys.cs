using System.Globalization;
using System.Security.Cryptography;
using ConvertroFunctions.Core.Storage;
using System.Text;

namespace ConvertroFunctions.Core.Ledger;

/// <summary>
/// Where an event's record lives: table <c>Events{yyyyMMdd}</c>, the UTC day Segment received the
/// event (its <c>receivedAt</c>, the same in every copy of the event; ingest's own receive time when
/// Segment's is missing), PartitionKey <c>{workspace}.{n}</c> (one of <see cref="LedgerOptions.Partitions"/>
/// by a hash of the messageId), RowKey the percent-encoded messageId. Every copy of an event (a
/// retry, a Segment re-send, a replay, the poison drain) computes the same place without reading
/// anything, so there is never a second record of one event and never a search for it
/// (docs/architecture.md, "The event ledger").
/// </summary>
public static class LedgerKeys
{
    /// <summary>The ledger's tables: one per UTC day of Segment's receipt.</summary>
    public static DatedTables Tables { get; } = new("Events", monthly: false);

    /// <summary>The partition of a ledger table that holds its use mark (workspace ids start with a letter or digit).</summary>
    public const string MarkPartition = "_ledger";

    public const string MarkRow = "lastUsed";

    public static string TableName(DateTimeOffset day) => Tables.NameFor(day);

    public static string TableName(DateOnly day) => Tables.NameFor(new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));

    /// <summary>The day a table name stands for, or null for a table that is not the ledger's.</summary>
    public static DateOnly? DayOf(string tableName) => Tables.StartOf(tableName);

    /// <summary>
    /// The day whose table holds the event's record: the day Segment received it, when given and not
    /// later than a day after ingest accepted this copy (a clock far ahead would create tables for
    /// days to come); else the day ingest accepted it, the one case where a copy Segment sends again
    /// across midnight is not recognised.
    /// </summary>
    public static DateOnly DayFor(DateTimeOffset? segmentReceivedAt, DateTimeOffset ingestReceivedAt) =>
        DateOnly.FromDateTime((segmentReceivedAt is { } received && received.Year >= 2000 && received <= ingestReceivedAt.AddDays(1)
            ? received : ingestReceivedAt).UtcDateTime);

    /// <summary>The workspace and one of <paramref name="partitions"/> buckets (workspace ids never contain '.').</summary>
    public static string PartitionFor(string workspaceId, string messageId, int partitions)
    {
        // FNV-1a over the UTF-16 code units: stable across processes, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var c in messageId)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return string.Create(CultureInfo.InvariantCulture, $"{workspaceId}.{hash % (uint)partitions:x}");
    }

    /// <summary>
    /// Percent-encoding keeps every messageId distinct and removes the characters a RowKey may not
    /// hold (/ \ # ? and control characters); very long ids are hashed (':' never survives encoding).
    /// </summary>
    public static string RowKeyFor(string messageId)
    {
        var escaped = Uri.EscapeDataString(messageId);
        return escaped.Length <= 512
            ? escaped
            : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(messageId)));
    }
}
