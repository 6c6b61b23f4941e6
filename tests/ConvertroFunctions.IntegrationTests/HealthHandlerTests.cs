using System.Text;
using ConvertroFunctions.Core.Admin;
using ConvertroFunctions.LocalHost;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>
/// Health's answer from its checks: the status alone for the Functions app's anonymous callers; each
/// check's result too in LocalHost, which serves loopback only. The same <c>{"status":…}</c> JSON.
/// </summary>
public sealed class HealthHandlerTests
{
    [Fact]
    public async Task AnAnonymousCaller_GetsTheStatusOnly()
    {
        var (code, body) = await AnswerAsync(new HealthAudience(), tableHealthy: false);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, code);
        Assert.Equal("""{"status":"unhealthy"}""", body);
    }

    [Fact]
    public async Task LocalHost_ShowsEachCheck()
    {
        var (code, body) = await AnswerAsync(new LocalHealthAudience(), tableHealthy: false);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, code);
        Assert.Equal("""{"status":"unhealthy","queue":"ok","table":"Connection refused (127.0.0.1:10002)"}""", body);
    }

    [Fact]
    public async Task EveryCheckPassing_Is200Healthy()
    {
        var (code, body) = await AnswerAsync(new HealthAudience(), tableHealthy: true);

        Assert.Equal(StatusCodes.Status200OK, code);
        Assert.Equal("""{"status":"healthy"}""", body);
    }

    private static async Task<(int Code, string Body)> AnswerAsync(HealthAudience audience, bool tableHealthy)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddHealthChecks()
            .AddCheck(StorageHealthChecks.Queue, () => HealthCheckResult.Healthy())
            .AddCheck(StorageHealthChecks.Table, () => tableHealthy ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Connection refused (127.0.0.1:10002)"));
        await using var provider = services.BuildServiceProvider();
        var handler = new HealthHandler(provider.GetRequiredService<HealthCheckService>(), audience);
        var context = new DefaultHttpContext { RequestServices = provider };
        var body = new MemoryStream();
        context.Response.Body = body;

        var result = await handler.HandleAsync(context.Request, default);
        await result.ExecuteAsync(context);

        return (context.Response.StatusCode, Encoding.UTF8.GetString(body.ToArray()));
    }
}
