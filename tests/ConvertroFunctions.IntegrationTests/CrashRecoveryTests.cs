using System.Net;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost.Azurite;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// LocalHost killed (SIGKILL) in the middle of a large batch, then started again. The queue listener
/// is the Functions host's own, which holds a received message invisible for 10 minutes (renewed
/// while it runs): the killed host's messages reappear only then, as in Azure, so this test takes
/// over 10 minutes (docs/decisions.md, "LocalHost runs the host's queue listener").
/// </summary>
public sealed class CrashRecoveryTests(Backends backends) : IClassFixture<Backends>
{
    private readonly AzuriteProcess _azurite = backends.Azurite;
    private readonly FakeConvertro _convertro = backends.Convertro;

    [Fact]
    public async Task Deliver_HostKilledMidBatchAndRestarted_NothingLostAndNothingAcceptedTwice()
    {
        var settings = PipelineFixture.DefaultSettings(_azurite.ConnectionString, _convertro.BaseUrl);
        settings["Convertro:TimeoutSeconds"] = "5";          // held calls are still in flight at the kill
        settings["Idempotency:LeaseSeconds"] = "6";          // longer than one call can take
        settings["Delivery:RetryDelays"] = "00:00:01,00:00:02,00:00:04,00:00:08";
        var (body, expected) = FaultInjectionTests.MixedBatch("crash", 1000);
        var total = expected.Sum(e => e.Calls.Count);

        TestWorkspace ws;
        await using (var first = await LocalHostProcess.StartAsync(settings))
        {
            ws = await Admin.NewWorkspaceAsync(first.Client, hybrid: true);
            // Convertro answers half the calls, then stops answering, so later calls are caught on the
            // wire. The fake switches on the call that crosses the count: a test that polled and then
            // held could find the whole batch delivered on a fast machine (it did once, in CI).
            _convertro.HoldAfter(total / 2);
            Assert.Equal(HttpStatusCode.Accepted, (await first.Client.PostJsonAsync($"/api/segment/{ws.Id}", body)).StatusCode);
            await Eventually.TrueAsync(() => _convertro.RequestsFor(ws.ClientName).Any(r => r.Status == RecordedRequest.Pending),
                timeout: TimeSpan.FromMinutes(2));

            // A call stays "in flight" until its answer is in the ledger: the flush writes it within
            // 250 ms, plus the write itself, which a busy emulator can make take a second
            // (docs/decisions.md, "The event ledger").
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            first.Kill();
        }
        _convertro.Resume();
        var acceptedBeforeKill = _convertro.RequestsFor(ws.ClientName).Count(r => r.Accepted);
        var caughtInFlight = _convertro.RequestsFor(ws.ClientName).Count(r => !r.Accepted);

        await using var second = await LocalHostProcess.StartAsync(settings);

        Assert.InRange(acceptedBeforeKill, total / 3, total - 1);
        Assert.True(caughtInFlight > 0, "the kill caught no call in flight");
        await Accounting.AssertEveryEventFinalAsync(second.Client, _convertro, ws, expected,
            timeout: TimeSpan.FromMinutes(13), settle: TimeSpan.FromSeconds(8));
        // The only repeats are of calls caught on the wire at the kill, sent again byte for byte (same eid, same query).
        var repeated = _convertro.RequestsFor(ws.ClientName).GroupBy(r => (r.EventKey, r.CallKey)).Where(g => g.Count() > 1).ToList();
        Assert.All(repeated, g =>
        {
            Assert.Single(g.Select(r => r.Target).Distinct());
            Assert.All(g.SkipLast(1), r => Assert.False(r.Accepted, $"{r.Target} was accepted, then sent again"));
        });
        Assert.InRange(repeated.Count, 1, caughtInFlight);
    }
}
