using System.Text;
using ConvertroFunctions.Core.Audit;
using ConvertroFunctions.Core.DeadLetters;
using ConvertroFunctions.Core.Ledger;
using ConvertroFunctions.Core.Privacy;
using ConvertroFunctions.Core.Stats;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost.Azurite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>The retention job against a real Azurite, with a clock the test moves.</summary>
public sealed class RetentionTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 15, 12, 0, 0, TimeSpan.Zero));
    private AzuriteProcess _azurite = null!;
    private StorageClients _clients = null!;

    public async Task InitializeAsync()
    {
        _azurite = await TestAzurite.StartAsync();
        _clients = StorageClients.ForConnectionString(_azurite.ConnectionString);
    }

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    [Fact]
    public async Task Run_DataPastEachRetention_RemovedRecentKept()
    {
        var store = new DeadLetterStore(_clients);
        var now = _time.GetUtcNow();
        await store.AddAsync(Letter("ws-a", now.AddDays(-31), "user-key-old"), default);
        await store.AddAsync(Letter("ws-b", now.AddDays(-40), null), default);
        await store.AddAsync(Letter("ws-a", now.AddDays(-29), "user-key-new"), default);
        await store.AddAsync(Letter("ws-a", now.AddMinutes(-5), null), default);
        foreach (var table in new[] { "Events20260612", "Events20260614", "Events20260615", "Stats202602", "Stats202603", "Links202504", "Links202505" })
        {
            await _clients.Tables.CreateTableIfNotExistsAsync(table);
        }

        var result = await Job(store).RunAsync(default);

        Assert.Equal(2, result.DeadLetters);
        var left = new List<string>();
        await foreach (var page in store.AllAsync("ws-a", null, default))
        {
            left.Add(page.MessageId!);
        }
        Assert.Equal(2, left.Count);
        Assert.Equal(0, await IndexRowsAsync("ws-a.user-key-old"));  // the removed letter's index row went with it
        Assert.Equal(1, await IndexRowsAsync("ws-a.user-key-new"));
        Assert.Equal(["Events20260612"], result.LedgerTables);
        Assert.Equal(["Stats202602"], result.StatsTables);         // February ended more than 90 days ago; March did not
        Assert.Equal(["Links202504"], result.LinkTables);          // April 2025 ended more than 400 days ago; May did not
        var tables = new List<string>();
        await foreach (var t in _clients.Tables.QueryAsync(filter: (string?)null))
        {
            tables.Add(t.Name);
        }
        Assert.Superset(new HashSet<string> { "Events20260614", "Events20260615", "Stats202603", "Links202505" }, tables.ToHashSet());
    }

    [Fact]
    public async Task Run_AuditRecordsOlderThanTheDeadLetterRetention_RemovedRecentKept()
    {
        var then = new FakeTimeProvider(_time.GetUtcNow().AddDays(-31));
        await new AuditTrail(_clients, new AuditCaller(), then).RecordAsync("k-old", "ws-a", [new AuditChange(AuditActions.WorkspaceCreated)], default);
        then.SetUtcNow(_time.GetUtcNow().AddDays(-29));
        await new AuditTrail(_clients, new AuditCaller(), then).RecordAsync("k-new", "ws-a", [new AuditChange(AuditActions.WorkspaceDeleted)], default);
        var trail = new AuditTrail(_clients, new AuditCaller(), _time);

        var result = await Job(new DeadLetterStore(_clients)).RunAsync(default);

        Assert.Equal(1, result.AuditRecords);
        var (left, _) = await trail.PageAsync(10, null, default);
        Assert.Equal([("k-new", AuditActions.WorkspaceDeleted)], left.Select(r => (r.Key, r.Action)));
    }

    [Fact]
    public async Task Run_OneStepFails_TheOthersStillRunAndTheRunReportsTheFailure()
    {
        var store = new DeadLetterStore(_clients);
        var now = _time.GetUtcNow();
        await store.AddAsync(Letter("ws-a", now.AddDays(-31), null), default);
        await _clients.Tables.CreateTableIfNotExistsAsync("Events20260612");
        // The counters' storage cannot be reached (nothing listens on port 9), and is not retried.
        var unreachable = StorageClients.ForConnectionString(
            _azurite.ConnectionString.Replace($":{_azurite.TablePort}/", ":9/", StringComparison.Ordinal),
            o => o.Retry.MaxRetries = 0);

        var failed = await Assert.ThrowsAsync<AggregateException>(() => Job(store, new StatsStore(unreachable)).RunAsync(default));

        Assert.Single(failed.InnerExceptions);
        Assert.Empty(await AllAsync(store, "ws-a"));                  // the step before it ran
        Assert.False(await TableExistsAsync("Events20260612"));         // and the one after it
    }

    [Fact]
    public async Task TableDeletes_SomeRowsGoneMeanwhile_TheRestDeletedWithoutError()
    {
        var table = _clients.Tables.GetTableClient("DeletesTest");
        await table.CreateIfNotExistsAsync();
        var rows = Enumerable.Range(0, 150).Select(i => (PartitionKey: $"p{i % 2}", RowKey: $"r{i:000}")).ToList();
        foreach (var (pk, rk) in rows)
        {
            await table.AddEntityAsync(new Azure.Data.Tables.TableEntity(pk, rk));
        }
        await table.DeleteEntityAsync("p0", "r010"); // removed by someone else between listing and deleting

        await TableDeletes.DeleteAsync(table, rows, _clients.Transactions, default);

        var left = 0;
        await foreach (var _ in table.QueryAsync<Azure.Data.Tables.TableEntity>())
        {
            left++;
        }
        Assert.Equal(0, left);
    }

    private static async Task<List<DeadLetter>> AllAsync(DeadLetterStore store, string workspaceId)
    {
        var letters = new List<DeadLetter>();
        await foreach (var letter in store.AllAsync(workspaceId, null, default))
        {
            letters.Add(letter);
        }
        return letters;
    }

    private async Task<bool> TableExistsAsync(string name)
    {
        await foreach (var _ in _clients.Tables.QueryAsync(t => t.Name == name))
        {
            return true;
        }
        return false;
    }

    private async Task<int> IndexRowsAsync(string partition)
    {
        var rows = 0;
        await foreach (var _ in _clients.Tables.GetTableClient(DeadLetterStore.UsersTableName)
                           .QueryAsync<Azure.Data.Tables.TableEntity>(Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {partition}")))
        {
            rows++;
        }
        return rows;
    }

    private RetentionJob Job(DeadLetterStore store, StatsStore? stats = null) => new(
        store,
        new EventLedger(_clients, _time, Options.Create(new LedgerOptions()), NullLogger<EventLedger>.Instance),
        stats ?? new StatsStore(_clients),
        new LinkStore(_clients, new UserKeys(_clients), _time, Options.Create(new PrivacyOptions())),
        new AuditTrail(_clients, new AuditCaller(), _time),
        _time, Options.Create(new DeadLetterOptions { RetentionDays = 30 }), NullLogger<RetentionJob>.Instance);

    private static DeadLetter Letter(string workspaceId, DateTimeOffset at, string? userKey) => new()
    {
        Id = DeadLetter.NewId(at), WorkspaceId = workspaceId, MessageId = $"m-{at:yyyyMMddHHmm}", ReasonCode = ReasonCodes.ConvertroRejected,
        Reason = "test", FirstFailureAt = at, LastFailureAt = at, Event = Encoding.UTF8.GetBytes("{}"), UserKey = userKey,
    };
}
