using System.Net;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost.Azurite;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// LocalHost stopped with SIGTERM (a deploy, a scale-in) in the middle of a large batch, then
/// started again: it exits well inside 30 s, loses nothing and sends nothing twice.
/// </summary>
public sealed class ShutdownTests(Backends backends) : IClassFixture<Backends>
{
    private readonly AzuriteProcess _azurite = backends.Azurite;
    private readonly FakeConvertro _convertro = backends.Convertro;

    [Fact]
    public async Task Deliver_SigtermMidBatchThenRestart_ExitsInsideThirtySecondsNothingLostNothingSentTwice()
    {
        var settings = PipelineFixture.DefaultSettings(_azurite.ConnectionString, _convertro.BaseUrl);
        settings["Delivery:RetryDelays"] = "00:00:01,00:00:02,00:00:04,00:00:08";
        var (body, expected) = FaultInjectionTests.MixedBatch("term", 1000);
        var total = expected.Sum(e => e.Calls.Count);
        _convertro.ResponseDelay = TimeSpan.FromMilliseconds(40); // Convertro answers, a little slowly

        TestWorkspace ws;
        TimeSpan exit;
        await using (var first = await LocalHostProcess.StartAsync(settings))
        {
            ws = await Admin.NewWorkspaceAsync(first.Client, hybrid: true);
            Assert.Equal(HttpStatusCode.Accepted, (await first.Client.PostJsonAsync($"/api/segment/{ws.Id}", body)).StatusCode);
            await Eventually.TrueAsync(() => _convertro.RequestsFor(ws.ClientName).Count(r => r.Accepted) >= total / 4);

            exit = await first.TerminateAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, first.ExitCode);
        }
        var beforeRestart = _convertro.RequestsFor(ws.ClientName).Count;
        _convertro.ResponseDelay = TimeSpan.Zero;

        await using var second = await LocalHostProcess.StartAsync(settings);

        Assert.True(exit < TimeSpan.FromSeconds(30), $"LocalHost took {exit.TotalSeconds:F1} s to exit after SIGTERM");
        Assert.InRange(beforeRestart, total / 4, total - 1);
        await Accounting.AssertEveryEventFinalAsync(second.Client, _convertro, ws, expected,
            timeout: TimeSpan.FromSeconds(90), settle: TimeSpan.FromSeconds(3));
        // Nothing was sent twice: every request Convertro saw was answered 2xx, one per call.
        var requests = _convertro.RequestsFor(ws.ClientName);
        Assert.All(requests, r => Assert.True(r.Accepted, $"{r.Target} was not accepted ({r.Status})"));
        Assert.Equal(total, requests.Count);
    }
}
