using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ConvertroFunctions.IntegrationTests.Infrastructure;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>A small body limit, so oversized bodies are cheap to send.</summary>
public sealed class SmallLimitPipeline : PipelineFixture
{
    public const int MaxBodyBytes = 64 * 1024;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Ingest:MaxBodyBytes", MaxBodyBytes.ToString())];
}

/// <summary>
/// Over 10,000 malformed or mutated payloads at the ingest endpoint: never a 5xx, never a hang,
/// always a clear problem answer; nothing accepted with a bad signature; and whatever was accepted
/// ends delivered or skipped, never crashing delivery.
/// </summary>
public sealed class HostileInputTests(SmallLimitPipeline pipeline) : IClassFixture<SmallLimitPipeline>
{
    private const string Secret = "hostile-secret-1";
    private static readonly int[] Answers = [202, 207, 400, 401, 413, 415];

    [Fact]
    public async Task Ingest_TenThousandHostilePayloads_EachAnsweredClearlyAndNothingLost()
    {
        var open = await pipeline.NewWorkspaceAsync();
        var signed = await pipeline.NewWorkspaceAsync(sharedSecret: Secret);
        var badSignature = await pipeline.NewWorkspaceAsync(sharedSecret: Secret);
        using var delivered = new OutcomeCounter(pipeline.Host, open.Id, OutcomeCounter.Delivered);
        using var skipped = new OutcomeCounter(pipeline.Host, open.Id);
        using var deadLettered = new OutcomeCounter(pipeline.Host, open.Id, OutcomeCounter.DeadLettered);
        using var signedDelivered = new OutcomeCounter(pipeline.Host, signed.Id, OutcomeCounter.Delivered);
        using var signedSkipped = new OutcomeCounter(pipeline.Host, signed.Id);
        using var signedDeadLettered = new OutcomeCounter(pipeline.Host, signed.Id, OutcomeCounter.DeadLettered);
        var corpus = HostileCorpus.Generate(seed: 20261123, SmallLimitPipeline.MaxBodyBytes);
        Assert.InRange(corpus.Count, 10_000, 20_000);
        var failures = new ConcurrentQueue<string>();
        long accepted = 0, acceptedSigned = 0, slowestMs = 0;

        await Parallel.ForEachAsync(corpus.Select((c, i) => (c, i)), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (item, ct) =>
        {
            var (c, i) = item;
            var ws = c.Signing switch { Signing.Valid => signed, Signing.Wrong => badSignature, _ => open };
            var watch = Stopwatch.StartNew();
            HttpResponseMessage response;
            string text;
            try
            {
                response = await pipeline.Client.SendAsync(Request(ws, c, i), ct);
                text = await response.Content.ReadAsStringAsync(ct);
            }
            catch (Exception ex)
            {
                failures.Enqueue($"#{i} {c.Kind}: no answer ({ex.GetType().Name}: {ex.Message})");
                return;
            }
            InterlockedMax(ref slowestMs, watch.ElapsedMilliseconds);
            var problem = Check(c, response, text);
            if (problem is not null)
            {
                failures.Enqueue($"#{i} {c.Kind}: {(int)response.StatusCode} {problem}: {text[..Math.Min(200, text.Length)]}");
            }
            else if ((int)response.StatusCode is 202 or 207)
            {
                var count = JsonDocument.Parse(text).RootElement.GetProperty("accepted").GetInt32();
                Interlocked.Add(ref ws == signed ? ref acceptedSigned : ref accepted, count);
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {corpus.Count} answers were wrong. By kind: " +
            string.Join(", ", failures.GroupBy(f => f.Split(':')[0].Split(' ', 2)[1]).Select(g => $"{g.Key} ×{g.Count()}")) +
            $"\n{string.Join('\n', failures.DistinctBy(f => f.Split(':')[0].Split(' ', 2)[1]).Take(25))}");
        Assert.True(slowestMs < 10_000, $"slowest answer took {slowestMs} ms");
        Assert.Equal(HttpStatusCode.OK, (await pipeline.Client.GetAsync("/api/health")).StatusCode);
        Assert.True(accepted > 0 && acceptedSigned > 0, "the corpus should also hold mutations that are still valid events");
        // Every accepted event ends delivered or skipped: the mapper copes with all the validator lets through.
        await Eventually.TrueAsync(() => delivered.Total + skipped.Total + deadLettered.Total >= accepted
            && signedDelivered.Total + signedSkipped.Total + signedDeadLettered.Total >= acceptedSigned, TimeSpan.FromSeconds(120),
            () => $"open: {accepted} accepted, {delivered.Total} delivered, {skipped.Total} skipped, {deadLettered.Total} dead-lettered; " +
                  $"signed: {acceptedSigned} accepted, {signedDelivered.Total} delivered, {signedSkipped.Total} skipped");
        var letters = (await pipeline.DeadLettersAsync(open.Id)).Concat(await pipeline.DeadLettersAsync(signed.Id)).ToList();
        Assert.True(letters.Count == 0, $"{letters.Count} accepted events were dead-lettered: " + string.Join("\n",
            letters.Select(l => l.GetProperty("reason").GetString()).Distinct().Take(10)));
        // Nothing was accepted for the workspace that only ever saw bad signatures.
        await Task.Delay(500);
        Assert.Empty(pipeline.Convertro.RequestsFor(badSignature.ClientName));
        Assert.Empty(await pipeline.DeadLettersAsync(badSignature.Id));
    }

    /// <returns>What is wrong with the answer, or null.</returns>
    private static string? Check(HostileCase c, HttpResponseMessage response, string text)
    {
        var status = (int)response.StatusCode;
        if (!Answers.Contains(status))
        {
            return "unexpected status";
        }
        if (c.Signing == Signing.Wrong && status != 401)
        {
            return "a bad signature was not refused";
        }
        if (status < 400)
        {
            return null;
        }
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return "not a problem+json answer";
        }
        try
        {
            var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString();
            if (string.IsNullOrWhiteSpace(detail) || detail.Contains("   at ") || detail.Contains("Exception"))
            {
                return "no clear detail";
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return "unreadable problem";
        }
        return null;
    }

    private static HttpRequestMessage Request(TestWorkspace ws, HostileCase c, int index)
    {
        var content = new ByteArrayContent(c.Body);
        if (c.ContentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType);
        }
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/segment/{ws.Id}") { Content = content };
        var signature = c.Signing switch
        {
            Signing.Valid => Hex(Secret, c.Body),
            Signing.Wrong => (index % 6) switch
            {
                0 => null,                                              // missing
                1 => "",                                                // empty
                2 => Hex("another-secret", c.Body),                     // another workspace's secret
                3 => Hex(Secret, [.. c.Body, (byte)' ']),               // of a different body
                4 => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), c.Body)), // SHA-256
                _ => "sha1=" + Hex(Secret, c.Body)[..20],                // malformed
            },
            _ => null,
        };
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Signature", signature);
        }
        return request;
    }

    private static string Hex(string secret, byte[] body) =>
        Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), body));

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
