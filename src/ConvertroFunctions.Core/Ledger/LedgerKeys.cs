using System.Globalization;
using System.Security.Cryptography;
using ConvertroFunctions.Core.Storage;
using System.Text;

namespace ConvertroFunctions.Core.Ledger;

/// <summary>
/// Where an event's record lives: table <c>Events{yyyyMMdd}</c> (the UTC day its delivery first
/// claimed it), PartitionKey <c>{workspace}.{n}</c> (one of <see cref="LedgerOptions.Partitions"/> by
/// a hash of the messageId), RowKey the percent-encoded messageId. Every part comes from the
/// workspace and the messageId alone, so a lookup is a point read.
/// </summary>
public static class LedgerKeys
{
    /// <summary>The ledger's tables: one per UTC day.</summary>
    public static DatedTables Tables { get; } = new("Events", monthly: false);

    public static string TableName(DateTimeOffset day) => Tables.NameFor(day);

    /// <summary>The day a table name stands for, or null for a table that is not the ledger's.</summary>
    public static DateOnly? DayOf(string tableName) => Tables.StartOf(tableName);

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
