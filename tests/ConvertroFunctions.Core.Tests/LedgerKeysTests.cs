using ConvertroFunctions.Core.Ledger;

namespace ConvertroFunctions.Core.Tests;

/// <summary>The ledger's keys: valid for Table storage, distinct, stable across processes, spread over partitions.</summary>
public sealed class LedgerKeysTests
{
    [Fact]
    public void PartitionFor_ManyMessageIds_SpreadOverEveryBucketOfTheWorkspace()
    {
        var partitions = Enumerable.Range(0, 1600).Select(i => LedgerKeys.PartitionFor("ws-1", $"ajs-{Guid.NewGuid()}-{i}", 8)).ToList();

        Assert.All(partitions, p => Assert.StartsWith("ws-1.", p));
        var counts = partitions.GroupBy(p => p).Select(g => g.Count()).ToList();
        Assert.Equal(8, counts.Count);
        Assert.All(counts, n => Assert.InRange(n, 120, 280)); // about 200 each
    }

    [Fact]
    public void PartitionFor_SameMessageId_SameBucketInEveryProcess()
    {
        // FNV-1a of "message-1" is fixed; string.GetHashCode would differ from run to run.
        Assert.Equal("ws.e", LedgerKeys.PartitionFor("ws", "message-1", 16));
        Assert.Equal("ws.6", LedgerKeys.PartitionFor("ws", "message-1", 8));
        Assert.Equal("ws.0", LedgerKeys.PartitionFor("ws", "message-1", 1));
    }

    [Theory]
    [InlineData("plain-id", "plain-id")]
    [InlineData("a/b#c?d\\e", "a%2Fb%23c%3Fd%5Ce")]
    [InlineData("tab\there", "tab%09here")]
    public void RowKeyFor_ForbiddenCharacters_PercentEncoded(string messageId, string rowKey)
    {
        Assert.Equal(rowKey, LedgerKeys.RowKeyFor(messageId));
    }

    [Fact]
    public void RowKeyFor_VeryLongId_HashedAndDistinctFromAnyEncodedId()
    {
        var key = LedgerKeys.RowKeyFor(new string('x', 600));

        Assert.StartsWith("sha256:", key);
        Assert.Equal(7 + 64, key.Length);
    }
}

public sealed class LedgerKeysDayTests
{
    [Theory]
    [InlineData("Events20261202", 2026, 12, 2)]
    [InlineData("Events19991231", 1999, 12, 31)]
    public void DayOf_LedgerTableName_TheDay(string name, int year, int month, int day) =>
        Assert.Equal(new DateOnly(year, month, day), LedgerKeys.DayOf(name));

    [Theory]
    [InlineData("Events")]
    [InlineData("Events2026120")]
    [InlineData("Events20261302")]
    [InlineData("EventsX0261202")]
    [InlineData("Workspaces")]
    [InlineData("Delivered20261202")]
    public void DayOf_OtherTables_Null(string name) => Assert.Null(LedgerKeys.DayOf(name));

    [Fact]
    public void TableName_AnyTimeOfDay_TheUtcDate() =>
        Assert.Equal("Events20261202", LedgerKeys.TableName(new DateTimeOffset(2026, 12, 3, 0, 30, 0, TimeSpan.FromHours(1))));
}
