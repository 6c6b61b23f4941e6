using Azure;
using Azure.Data.Tables;

namespace ConvertroFunctions.Core.Idempotency;

public enum ClaimKind
{
    /// <summary>This delivery may send the event's calls not yet in <see cref="LedgerClaim.Delivered"/>.</summary>
    Owned,

    /// <summary>Every call of this messageId was already delivered: send nothing.</summary>
    AlreadyDelivered,

    /// <summary>Another delivery of this messageId holds the claim; try again after <see cref="LedgerClaim.RetryAfter"/>.</summary>
    InFlight,
}

/// <summary>What <see cref="DeliveryLedger.ClaimAsync"/> decided for one event.</summary>
public sealed class LedgerClaim
{
    internal LedgerClaim(ClaimKind kind, IEnumerable<string> delivered, TableClient? table = null,
        string? partitionKey = null, string? rowKey = null, ETag etag = default, TimeSpan retryAfter = default)
    {
        Kind = kind;
        Delivered = [.. delivered];
        Table = table;
        PartitionKey = partitionKey;
        RowKey = rowKey;
        ETag = etag;
        RetryAfter = retryAfter;
    }

    public ClaimKind Kind { get; }

    /// <summary>Keys of the calls already delivered for this messageId.</summary>
    public HashSet<string> Delivered { get; }

    public TimeSpan RetryAfter { get; }

    internal TableClient? Table { get; }

    internal string? PartitionKey { get; }

    internal string? RowKey { get; }

    internal ETag ETag { get; set; }

    /// <summary>False when nothing is recorded (idempotency off, or the event has no messageId).</summary>
    internal bool IsRecorded => Table is not null;

    internal static LedgerClaim Unrecorded(IEnumerable<string> delivered) => new(ClaimKind.Owned, delivered);
}
