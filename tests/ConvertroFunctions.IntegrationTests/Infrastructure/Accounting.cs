using System.Text.Json;

namespace ConvertroFunctions.IntegrationTests.Infrastructure;

/// <summary>What should become of one accepted event.</summary>
public sealed record ExpectedOutcome(string MessageId, IReadOnlyList<string> Calls, string? SkipReason = null, bool DeadLettered = false)
{
    public static ExpectedOutcome Delivered(string messageId, params string[] calls) => new(messageId, calls);

    public static ExpectedOutcome Skipped(string messageId, string reason) => new(messageId, [], reason);

    public static ExpectedOutcome DeadLetter(string messageId) => new(messageId, [], DeadLettered: true);
}

/// <summary>
/// The end-of-test check of docs/architecture.md, "Delivery": every accepted event is in exactly one final state —
/// each of its calls accepted by Convertro exactly once, or skipped with its reason counted, or
/// dead-lettered once with a reason — and Convertro accepted nothing else for the workspace.
/// </summary>
public static class Accounting
{
    public static Task AssertEveryEventFinalAsync(
        PipelineFixture pipeline, TestWorkspace ws, IReadOnlyList<ExpectedOutcome> expected, OutcomeCounter? skips = null,
        TimeSpan? timeout = null, TimeSpan? settle = null) =>
        AssertEveryEventFinalAsync(pipeline.Client, pipeline.Convertro, ws, expected, skips, timeout, settle);

    public static async Task AssertEveryEventFinalAsync(
        HttpClient client, Fakes.FakeConvertro fake, TestWorkspace ws, IReadOnlyList<ExpectedOutcome> expected,
        OutcomeCounter? skips = null, TimeSpan? timeout = null, TimeSpan? settle = null)
    {
        List<JsonElement> letters = [];
        async Task<bool> Reached()
        {
            letters = await Admin.DeadLettersAsync(client, ws.Id);
            var accepted = fake.RequestsFor(ws.ClientName).Where(r => r.Accepted).ToList();
            return expected.All(e => e.DeadLettered
                ? letters.Any(l => MessageId(l) == e.MessageId)
                : e.Calls.All(c => accepted.Any(r => r.Belongs(e.MessageId) && r.CallKey == c)))
                && (skips is null || skips.Total >= expected.Count(e => e.SkipReason is not null));
        }
        await Eventually.TrueAsync(Reached, timeout, () => Report(fake.RequestsFor(ws.ClientName), letters, expected));

        // Late duplicates (a retry, a redelivered copy) would arrive now.
        await Task.Delay(settle ?? TimeSpan.FromSeconds(1.5));
        letters = await Admin.DeadLettersAsync(client, ws.Id);
        var requests = fake.RequestsFor(ws.ClientName);
        var acceptedNow = requests.Where(r => r.Accepted).ToList();
        Assert.All(acceptedNow, r => Assert.True(expected.Any(e => r.Belongs(e.MessageId)), $"Convertro accepted a call for an unknown event: {r.Target}"));
        foreach (var e in expected)
        {
            var calls = acceptedNow.Where(r => r.Belongs(e.MessageId)).GroupBy(r => r.CallKey).ToList();
            var eventLetters = letters.Where(l => MessageId(l) == e.MessageId).ToList();
            if (e.DeadLettered)
            {
                var letter = Assert.Single(eventLetters);
                Assert.False(string.IsNullOrWhiteSpace(letter.GetProperty("reason").GetString()), $"{e.MessageId}: dead letter without a reason");
                var deliveredBefore = letter.GetProperty("deliveredCalls").EnumerateArray().Select(c => c.GetString()).ToHashSet();
                Assert.All(calls, c => Assert.True(deliveredBefore.Contains(c.Key) && c.Count() == 1,
                    $"{e.MessageId}: {c.Key} accepted {c.Count()} time(s) though dead-lettered"));
            }
            else
            {
                Assert.True(eventLetters.Count == 0, $"{e.MessageId}: dead-lettered unexpectedly: {eventLetters.FirstOrDefault()}");
                Assert.Equal(e.Calls.Order(), calls.Select(c => c.Key).Order());
                Assert.All(calls, c => Assert.True(c.Count() == 1, $"{e.MessageId}: {c.Key} accepted {c.Count()} times"));
            }
        }
        if (skips is not null)
        {
            var byReason = expected.Where(e => e.SkipReason is not null).GroupBy(e => e.SkipReason!)
                .ToDictionary(g => g.Key, g => (long)g.Count());
            Assert.Equal(byReason, skips.ByReason.Where(kv => byReason.ContainsKey(kv.Key)).ToDictionary());
        }
    }

    private static string? MessageId(JsonElement letter) => letter.GetProperty("messageId").GetString();

    private static string Report(IReadOnlyList<Fakes.RecordedRequest> requests, List<JsonElement> letters, IReadOnlyList<ExpectedOutcome> expected) =>
        $"{expected.Count} events expected; Convertro saw {requests.Count} request(s), accepted {requests.Count(r => r.Accepted)}; " +
        $"{letters.Count} dead letter(s): {string.Join("; ", letters.Take(3).Select(l => l.GetProperty("reason").GetString()))}";
}
