using Azure.Data.Tables;
using ConvertroFunctions.Core.Idempotency;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost.Azurite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>The idempotency ledger against a real Azurite, with a clock the test moves.</summary>
public sealed class DeliveryLedgerTests : IAsyncLifetime
{
    private static readonly string[] SaleCalls = ["events:sale", "events:sale.new"];
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 22, 0, 0, TimeSpan.Zero));
    private AzuriteProcess _azurite = null!;
    private StorageClients _clients = null!;
    private DeliveryLedger _ledger = null!;

    public async Task InitializeAsync()
    {
        _azurite = await TestAzurite.StartAsync();
        _clients = StorageClients.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection([new(StorageNames.ConnectionSetting, _azurite.ConnectionString)]).Build());
        _ledger = NewLedger();
    }

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    [Fact]
    public async Task Claim_AllCallsMarked_RepeatIsAlreadyDelivered()
    {
        var first = await _ledger.ClaimAsync("ws", "m-1", [], SaleCalls, default);
        await _ledger.MarkDeliveredAsync(first, "events:sale", complete: false, default);
        await _ledger.MarkDeliveredAsync(first, "events:sale.new", complete: true, default);

        var repeat = await _ledger.ClaimAsync("ws", "m-1", [], SaleCalls, default);
        var otherWorkspace = await _ledger.ClaimAsync("ws-2", "m-1", [], SaleCalls, default);

        Assert.Equal(ClaimKind.Owned, first.Kind);
        Assert.Equal(ClaimKind.AlreadyDelivered, repeat.Kind);
        Assert.Equal(ClaimKind.Owned, otherWorkspace.Kind);
    }

    [Fact]
    public async Task Claim_CompleteMessageIdThenACopyMappingToOtherCalls_AlreadyDeliveredAndLeaseLetGo()
    {
        var first = await _ledger.ClaimAsync("ws", "m-6", [], ["events:Signed Up"], default);
        await _ledger.MarkDeliveredAsync(first, "events:Signed Up", complete: true, default);

        // Same messageId, different content (a re-sent event that was edited): still one event.
        var copy = await _ledger.ClaimAsync("ws", "m-6", [], ["events:Signed Up Again"], default);

        Assert.Equal(ClaimKind.AlreadyDelivered, copy.Kind);
    }

    [Fact]
    public async Task Claim_HeldByACopyThatCrashed_InFlightUntilTheLeaseEndsThenTakenOverWithWhatItDelivered()
    {
        var crashed = await _ledger.ClaimAsync("ws", "m-2", [], SaleCalls, default);
        await _ledger.MarkDeliveredAsync(crashed, "events:sale", complete: false, default);

        var meanwhile = await _ledger.ClaimAsync("ws", "m-2", [], SaleCalls, default);
        _time.Advance(TimeSpan.FromSeconds(61));
        var after = await _ledger.ClaimAsync("ws", "m-2", [], SaleCalls, default);

        Assert.Equal(ClaimKind.InFlight, meanwhile.Kind);
        Assert.InRange(meanwhile.RetryAfter, TimeSpan.FromSeconds(59), TimeSpan.FromSeconds(60));
        Assert.Equal(ClaimKind.Owned, after.Kind);
        Assert.Equal(["events:sale"], after.Delivered);
    }

    [Fact]
    public async Task Claim_ReleasedAfterAFailure_NextAttemptOwnsItAtOnce()
    {
        var failed = await _ledger.ClaimAsync("ws", "m-3", [], SaleCalls, default);
        await _ledger.MarkDeliveredAsync(failed, "events:sale", complete: false, default);
        await _ledger.ReleaseAsync(failed, default);

        var retry = await _ledger.ClaimAsync("ws", "m-3", [], SaleCalls, default);

        Assert.Equal(ClaimKind.Owned, retry.Kind);
        Assert.Equal(["events:sale"], retry.Delivered);
    }

    [Fact]
    public async Task Claim_RepeatAfterMidnight_FoundInYesterdaysTableAndOldTablesDropped()
    {
        var first = await _ledger.ClaimAsync("ws", "m-4", [], ["users"], default);
        await _ledger.MarkDeliveredAsync(first, "users", complete: true, default);
        var firstDay = DeliveryLedger.TableName(_time.GetUtcNow());

        _time.Advance(TimeSpan.FromHours(4)); // 02:00 the next day: 4 hours later
        var nextDay = await _ledger.ClaimAsync("ws", "m-4", [], ["users"], default);
        _time.Advance(TimeSpan.FromDays(2)); // two days on, the first table is dropped
        var later = await NewLedger().ClaimAsync("ws", "m-4", [], ["users"], default);

        Assert.Equal(ClaimKind.AlreadyDelivered, nextDay.Kind);
        Assert.Equal(ClaimKind.Owned, later.Kind);
        var tables = new List<string>();
        await foreach (var t in _clients.Tables.QueryAsync(filter: (string?)null))
        {
            tables.Add(t.Name);
        }
        Assert.DoesNotContain(firstDay, tables);
        Assert.Contains(DeliveryLedger.TableName(_time.GetUtcNow()), tables);
    }

    [Theory]
    [InlineData("a/b#c?d\\e")]
    [InlineData("tab\there")]
    [InlineData("ünïcödé-id")]
    public async Task Claim_MessageIdWithCharactersARowKeyForbids_StillRecorded(string messageId)
    {
        var first = await _ledger.ClaimAsync("ws", messageId, [], ["users"], default);
        await _ledger.MarkDeliveredAsync(first, "users", complete: true, default);

        var repeat = await _ledger.ClaimAsync("ws", messageId, [], ["users"], default);

        Assert.Equal(ClaimKind.AlreadyDelivered, repeat.Kind);
    }

    [Fact]
    public async Task Claim_Disabled_NothingRecordedEveryCopyOwnsIt()
    {
        var ledger = NewLedger(enabled: false);
        var first = await ledger.ClaimAsync("ws", "m-5", [], ["users"], default);
        await ledger.MarkDeliveredAsync(first, "users", complete: true, default);

        var repeat = await ledger.ClaimAsync("ws", "m-5", [], ["users"], default);

        Assert.Equal(ClaimKind.Owned, repeat.Kind);
        Assert.Empty(repeat.Delivered);
    }

    private DeliveryLedger NewLedger(bool enabled = true) => new(_clients, _time,
        Options.Create(new IdempotencyOptions { Enabled = enabled, LeaseSeconds = 60 }), NullLogger<DeliveryLedger>.Instance);
}
