using Azure.Core.Pipeline;
using Azure.Data.Tables;
using ConvertroFunctions.Core.Storage;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost.Azurite;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// Azurite does not keep concurrent entity-group transactions apart (one shared rollback list; under
/// load, delivery's replaces failed with 412 against ETags the emulator had just answered), so the
/// product's storage clients send transactions to the emulator one at a time, and only to it.
/// </summary>
public sealed class EmulatorTransactionTests : IAsyncLifetime
{
    private const int Transactions = 24, EntitiesEach = 50;

    private AzuriteProcess _azurite = null!;

    public async Task InitializeAsync() => _azurite = await TestAzurite.StartAsync();

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    [Fact]
    public async Task ConcurrentTransactions_ToTheEmulator_SentOneAtATimeAndAllCommitted()
    {
        var wire = new ConcurrencyHandler();
        var tables = StorageClients.ForConnectionString(_azurite.ConnectionString,
            options => options.Transport = new HttpClientTransport(new HttpClient(wire))).Tables;
        var table = tables.GetTableClient("Gated");
        await table.CreateIfNotExistsAsync();

        await Task.WhenAll(Enumerable.Range(0, Transactions).Select(t => Task.Run(() => table.SubmitTransactionAsync(
            Enumerable.Range(0, EntitiesEach).Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"{t:D3}-{i:D3}")))))));
        // Other requests are not held back: these reads overlap.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => table.GetEntityIfExistsAsync<TableEntity>("p", "000-000"))));

        Assert.Equal(Transactions, wire.Transactions);
        Assert.Equal(1, wire.MostTransactionsAtOnce);
        Assert.True(wire.MostOthersAtOnce > 1, $"reads at once: {wire.MostOthersAtOnce}");
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(select: ["RowKey"]))
        {
            count++;
        }
        Assert.Equal(Transactions * EntitiesEach, count);
    }

    /// <summary>The wire: how many transactions (and other requests) were in flight at once, at most.</summary>
    private sealed class ConcurrencyHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _transactions, _inTransactions, _inOthers, _mostTransactions, _mostOthers;

        public int Transactions => _transactions;

        public int MostTransactionsAtOnce => _mostTransactions;

        public int MostOthersAtOnce => _mostOthers;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var transaction = request.RequestUri!.AbsolutePath.EndsWith("/$batch", StringComparison.Ordinal);
            if (transaction)
            {
                Interlocked.Increment(ref _transactions);
            }
            if (transaction)
            {
                Raise(ref _mostTransactions, Interlocked.Increment(ref _inTransactions));
            }
            else
            {
                Raise(ref _mostOthers, Interlocked.Increment(ref _inOthers));
            }
            try
            {
                // Long enough that requests sent together would overlap here.
                await Task.Delay(20, cancellationToken);
                return await base.SendAsync(request, cancellationToken);
            }
            finally
            {
                if (transaction)
                {
                    Interlocked.Decrement(ref _inTransactions);
                }
                else
                {
                    Interlocked.Decrement(ref _inOthers);
                }
            }
        }

        private static void Raise(ref int most, int now)
        {
            int seen;
            while (now > (seen = Volatile.Read(ref most)) && Interlocked.CompareExchange(ref most, now, seen) != seen)
            {
            }
        }
    }
}
