using System.Net;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// LocalHost whose queue and Table storage are both reached through proxies a test can break
/// together: the storage account out of reach (a network or DNS blip between the app and it).
/// </summary>
public sealed class AccountOutagePipeline : PipelineFixture
{
    public TcpProxy Tables { get; private set; } = null!;

    public TcpProxy Queues { get; private set; } = null!;

    public LogCapture Logs { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings
    {
        get
        {
            Tables = TcpProxy.Start(Azurite.TablePort);
            Queues = TcpProxy.Start(Azurite.QueuePort);
            var storage = Azurite.ConnectionString
                .Replace($":{Azurite.TablePort}/", $":{Tables.Port}/", StringComparison.Ordinal)
                .Replace($":{Azurite.QueuePort}/", $":{Queues.Port}/", StringComparison.Ordinal);
            return
            [
                new("AzureWebJobsStorage", storage),
                new("Convertro:TimeoutSeconds", "5"),
                new("Logging:LogLevel:ConvertroFunctions", "Information"),
            ];
        }
    }

    protected override void ConfigureHost(WebApplicationBuilder builder) => builder.Logging.AddProvider(Logs);

    public void Break()
    {
        Tables.Break();
        Queues.Break();
    }

    public void Restore()
    {
        Tables.Restore();
        Queues.Restore();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Tables.DisposeAsync();
        await Queues.DisposeAsync();
    }
}

/// <summary>
/// The queue and Table storage go away together while calls are on the wire, for longer than the
/// storage clients retry and long enough for the queue listener to fault and be restarted, then come
/// back (docs/architecture.md, "Delivery": the whole storage account out of reach). The calls
/// answered during the outage cannot be written to the ledger, and the queue refuses the hand-back
/// that would carry them: the run holds its message until the queue takes it. Nothing is lost,
/// nothing dead-lettered, no call accepted twice, and all of it well before the 10-minute message
/// lease could have brought a message back.
/// </summary>
public sealed class AccountOutageTests(AccountOutagePipeline pipeline) : IClassFixture<AccountOutagePipeline>
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task Deliver_QueueAndTablesUnreachableWhileCallsAreOnTheWire_HeldThenEveryEventDeliveredOnce()
    {
        var ws = await pipeline.NewWorkspaceAsync(hybrid: true);
        var batches = Enumerable.Range(0, 3).Select(b => FaultInjectionTests.MixedBatch($"account-{b}", 8)).ToList();
        using var deadLettered = new OutcomeCounter(pipeline.Host, ws.Id, OutcomeCounter.DeadLettered);
        pipeline.Convertro.ResponseDelay = TimeSpan.FromSeconds(2); // calls on the wire when storage goes
        foreach (var (body, _) in batches)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await pipeline.Client.PostJsonAsync($"/api/segment/{ws.Id}", body)).StatusCode);
        }
        await Eventually.TrueAsync(() => pipeline.Convertro.RequestsFor(ws.ClientName).Count >= 3, message: () => "no call went out");

        pipeline.Break();
        var onTheWire = pipeline.Convertro.RequestsFor(ws.ClientName).Count(r => r.Status == Fakes.RecordedRequest.Pending);
        await Task.Delay(Outage);
        var answeredDuringOutage = pipeline.Convertro.RequestsFor(ws.ClientName).Count(r => r.Accepted);
        pipeline.Restore();

        Assert.True(onTheWire > 0, "no call was on the wire when storage went");
        Assert.True(answeredDuringOutage > 0, "no call was answered while storage was away");
        await Accounting.AssertEveryEventFinalAsync(pipeline, ws, [.. batches.SelectMany(b => b.Expected)],
            timeout: TimeSpan.FromMinutes(3), settle: TimeSpan.FromSeconds(5));
        Assert.Equal(0, deadLettered.Total);
        foreach (var e in batches.SelectMany(b => b.Expected))
        {
            // The ledger says so too: no event is left held by a run that gave its message up.
            await Admin.EventAsync(pipeline.Client, ws, e.MessageId, e.SkipReason is null ? "delivered" : "skipped");
        }
        Assert.Contains(pipeline.Logs.Entries, e => e.Contains("cannot take the hand-back; holding the message", StringComparison.Ordinal));
        Assert.Contains(pipeline.Logs.Entries, e => e.Contains("the queue took the hand-back after", StringComparison.Ordinal));
        Assert.DoesNotContain(pipeline.Logs.Entries, e => e.Contains("until the hold ran out", StringComparison.Ordinal));
    }
}
