using Azure;
using Azure.Data.Tables;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost.Azurite;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// The one batching helper against a real Azurite (docs/architecture.md, "Storage map"), through the
/// lean transactions (<see cref="TableTransactions"/>) and through the SDK's, which must agree: what
/// is written, the ETags answered, a refused entity reported without keeping the others from being
/// written, a missing table reported as such.
/// </summary>
public sealed class TableBatchTests : IAsyncLifetime
{
    private AzuriteProcess _azurite = null!;
    private StorageClients _clients = null!;

    public async Task InitializeAsync()
    {
        _azurite = await TestAzurite.StartAsync();
        _clients = StorageClients.ForConnectionString(_azurite.ConnectionString);
    }

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    public static TheoryData<bool> Paths => [true, false];

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Submit_EveryValueTypeAndAwkwardKeys_WrittenReplacedAndDeletedWithTheirETags(bool lean)
    {
        var table = await TableAsync();
        var at = new DateTimeOffset(2026, 12, 4, 10, 11, 12, 345, TimeSpan.Zero).AddTicks(6789);
        var guid = Guid.NewGuid();
        string[] keys = ["it's", "100%25 sure", "ünïcödé+=&", "a b"];
        TableEntity Entity(string key, int n) => new("p'1%", key)
        {
            ["S"] = $"text {n} \"quoted\" \u00e9", ["I"] = n, ["L"] = 1L << 40, ["B"] = true, ["D"] = 0.5, ["At"] = at, ["G"] = guid, ["Bin"] = new byte[] { 0, 1, 255 },
        };

        var added = await SubmitAsync(table, [.. keys.Select((k, n) => new TableTransactionAction(TableTransactionActionType.Add, Entity(k, n)))], lean);
        Assert.All(added, r => Assert.True(r.Succeeded && r.ETag is not null, r.Error?.Message ?? "no etag"));
        var replaced = await SubmitAsync(table, [.. keys.Select((k, n) => new TableTransactionAction(
            TableTransactionActionType.UpdateReplace, Entity(k, n + 10), added[n].ETag!.Value))], lean);
        var stored = await table.GetEntityAsync<TableEntity>("p'1%", "it's");

        Assert.All(added.Concat(replaced), r => Assert.True(r.Succeeded && r.ETag is not null, r.Error?.Message));
        Assert.Equal(replaced[0].ETag, stored.Value.ETag);
        Assert.Equal(("text 10 \"quoted\" \u00e9", 10, 1L << 40, true, 0.5), (stored.Value.GetString("S"), stored.Value.GetInt32("I"), stored.Value.GetInt64("L"), stored.Value.GetBoolean("B"), stored.Value.GetDouble("D")));
        Assert.Equal((at, guid), (stored.Value.GetDateTimeOffset("At"), stored.Value.GetGuid("G")));
        Assert.Equal(new byte[] { 0, 1, 255 }, stored.Value.GetBinary("Bin"));

        var deleted = await SubmitAsync(table, [.. keys.Select((k, n) => new TableTransactionAction(
            TableTransactionActionType.Delete, new TableEntity("p'1%", k), replaced[n].ETag!.Value))], lean);
        Assert.All(deleted, r => Assert.True(r.Succeeded, r.Error?.Message));
        await foreach (var _ in table.QueryAsync<TableEntity>())
        {
            Assert.Fail("a row was left");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Submit_OneEntityRefused_TheOthersWrittenAndTheRefusalReported(bool lean)
    {
        var table = await TableAsync();
        var stale = (await table.AddEntityAsync(new TableEntity("p", "changed") { ["V"] = 1 })).Headers.ETag!.Value;
        await table.UpdateEntityAsync(new TableEntity("p", "changed") { ["V"] = 2 }, ETag.All, TableUpdateMode.Replace);

        var results = await SubmitAsync(table,
        [
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "a") { ["V"] = 1 }),
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "too-big") { ["V"] = new string('x', 40_000) }),
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity("p", "changed") { ["V"] = 3 }, stale),
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "b") { ["V"] = 1 }),
        ], lean);

        Assert.Equal([true, false, false, true], results.Select(r => r.Succeeded));
        Assert.Equal(400, results[1].Error!.Status);
        Assert.True(results[2].Conflicted);
        Assert.Equal(2, (await table.GetEntityAsync<TableEntity>("p", "changed")).Value.GetInt32("V"));
        Assert.True((await table.GetEntityIfExistsAsync<TableEntity>("p", "b")).HasValue);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Submit_TableMissing_ThrownAsTableNotFound(bool lean)
    {
        var table = _clients.Tables.GetTableClient("Missing" + Guid.NewGuid().ToString("N")[..8]);

        var error = await Assert.ThrowsAnyAsync<RequestFailedException>(() => SubmitAsync(table,
            [new(TableTransactionActionType.Add, new TableEntity("p", "a")), new(TableTransactionActionType.Add, new TableEntity("p", "b"))], lean));

        Assert.True(StorageErrors.IsTableNotFound(error), $"{error.Status} {error.ErrorCode}: {error.Message}");
    }

    private async Task<TableClient> TableAsync()
    {
        var table = _clients.Tables.GetTableClient("Batch" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateAsync();
        return table;
    }

    private Task<TableWriteResult[]> SubmitAsync(TableClient table, IReadOnlyList<TableTransactionAction> actions, bool lean)
    {
        Assert.NotNull(_clients.Transactions);
        return TableBatch.SubmitAsync(table, actions, lean ? _clients.Transactions : null, default);
    }
}
