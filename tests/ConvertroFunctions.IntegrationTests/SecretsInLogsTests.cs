using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using ConvertroFunctions.IntegrationTests.Infrastructure;
using ConvertroFunctions.LocalHost.Azurite;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>LocalHost with every log entry, down to Trace, captured.</summary>
public sealed class LogCapturePipeline : PipelineFixture
{
    public LogCapture Logs { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Logging:LogLevel:Default", "Trace"), new("Logging:LogLevel:ConvertroFunctions", "Trace"),
         new("Logging:LogLevel:Microsoft.AspNetCore", "Trace"), new("Logging:LogLevel:System.Net.Http.HttpClient", "Trace"),
         new("Logging:LogLevel:Polly", "Trace")];

    protected override void ConfigureHost(WebApplicationBuilder builder) => builder.Logging.AddProvider(Logs);
}

/// <summary>A workspace's shared secret and the storage account key never reach the logs, whatever happens.</summary>
public sealed class SecretsInLogsTests(LogCapturePipeline pipeline) : IClassFixture<LogCapturePipeline>
{
    private const string Secret = "S3cr3t-never-in-logs-7f1c";

    [Fact]
    public async Task Logs_EveryPathThatTouchesASecret_NeverContainTheSecretOrTheAccountKey()
    {
        var ws = await pipeline.NewWorkspaceAsync(sharedSecret: Secret);
        var client = pipeline.Client;
        var identify = Segment.Identify("secret-1").ToJsonString();
        pipeline.Convertro.Script(ws.ClientName, new FakeResponse(400, "{\"error\":\"bad\"}"));

        var signedOk = await client.PostJsonAsync($"/api/segment/{ws.Id}", identify, Sign(identify));
        var wrongSignature = await client.PostJsonAsync($"/api/segment/{ws.Id}", identify, Sign(identify + " "));
        var unsigned = await client.PostJsonAsync($"/api/segment/{ws.Id}", identify);
        var malformedSigned = await client.PostJsonAsync($"/api/segment/{ws.Id}", "{\"type\":", Sign("{\"type\":"));
        await pipeline.WaitForDeadLettersAsync(ws.Id, 1);
        var replay = await client.PostAsJsonAsync($"/api/workspaces/{ws.Id}/dead-letters/replay", new { });
        var get = await client.GetAsync($"/api/workspaces/{ws.Id}");
        var invalidPut = await client.PutAsJsonAsync($"/api/workspaces/{ws.Id}", new { account = "", sharedSecret = Secret, domain = "https://x/" });
        var preview = await client.PostJsonAsync($"/api/workspaces/{ws.Id}/preview", identify);
        await pipeline.Convertro.WaitForAsync(ws.ClientName, 2);

        Assert.Equal(
            [HttpStatusCode.Accepted, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.BadRequest,
             HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.OK],
            new[] { signedOk, wrongSignature, unsigned, malformedSigned, replay, get, invalidPut, preview }.Select(r => r.StatusCode));
        var entries = pipeline.Logs.Entries.ToList();
        // The capture works: the bad signatures and the dead letter were logged, with the workspace.
        Assert.Contains(entries, e => e.Contains(ws.Id) && e.Contains("signature", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(entries, e => e.Contains(ws.Id) && e.Contains("Dead-lettered"));
        Assert.True(entries.Count > 50, $"only {entries.Count} entries captured");
        var leaks = entries.Where(e => e.Contains(Secret) || e.Contains(AzuriteOptions.DevAccountKey) || e.Contains(AzuriteOptions.DevAccountKey[..24])).ToList();
        Assert.True(leaks.Count == 0, $"{leaks.Count} log entries hold a secret:\n{string.Join('\n', leaks.Take(5))}");
        foreach (var response in new[] { get, invalidPut })
        {
            Assert.DoesNotContain(Secret, await response.Content.ReadAsStringAsync());
        }
    }

    private static string Sign(string body) =>
        Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(body)));
}
