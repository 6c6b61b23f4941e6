using ConvertroFunctions.Core.Idempotency;

namespace ConvertroFunctions.Core.Tests;

/// <summary>The ledger's keys: valid for Table storage, distinct, stable across processes, spread over partitions.</summary>
public sealed class DeliveryLedgerKeyTests
{
    [Fact]
    public void PartitionFor_ManyMessageIds_SpreadOverEveryBucketOfTheWorkspace()
    {
        var partitions = Enumerable.Range(0, 1600).Select(i => DeliveryLedger.PartitionFor("ws-1", $"ajs-{Guid.NewGuid()}-{i}")).ToList();

        Assert.All(partitions, p => Assert.StartsWith("ws-1.", p));
        var counts = partitions.GroupBy(p => p).Select(g => g.Count()).ToList();
        Assert.Equal(DeliveryLedger.Buckets, counts.Count);
        Assert.All(counts, n => Assert.InRange(n, 50, 150)); // about 100 each
    }

    [Fact]
    public void PartitionFor_SameMessageId_SameBucketInEveryProcess()
    {
        // FNV-1a of "message-1" is fixed; string.GetHashCode would differ from run to run.
        Assert.Equal("ws.e", DeliveryLedger.PartitionFor("ws", "message-1"));
        Assert.Equal(DeliveryLedger.PartitionFor("ws", "m"), DeliveryLedger.PartitionFor("ws", "m"));
    }

    [Theory]
    [InlineData("plain-id", "plain-id")]
    [InlineData("a/b#c?d\\e", "a%2Fb%23c%3Fd%5Ce")]
    [InlineData("tab\there", "tab%09here")]
    public void RowKeyFor_ForbiddenCharacters_PercentEncoded(string messageId, string rowKey)
    {
        Assert.Equal(rowKey, DeliveryLedger.RowKeyFor(messageId));
    }

    [Fact]
    public void RowKeyFor_VeryLongId_HashedAndDistinctFromAnyEncodedId()
    {
        var key = DeliveryLedger.RowKeyFor(new string('x', 600));

        Assert.StartsWith("sha256:", key);
        Assert.Equal(7 + 64, key.Length);
    }
}
