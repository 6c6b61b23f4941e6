using System.Text.Json;
using ConvertroFunctions.Core.Convertro;
using ConvertroFunctions.Core.Queueing;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.Benchmarks;

/// <summary>
/// The least work delivery must do, as the baseline of the batch delivery comparison: receive
/// messages (4 pollers, 32 at a time), read each envelope, map each event and send its call to the
/// fake Convertro (the real request, built by Core's <see cref="ConvertroTarget"/>, through one
/// shared HttpClient), then delete the message. Concurrency as LocalHost's: 8 events of a message
/// at a time, at most 48 messages at once. No table access (the workspace is in memory), no
/// ledger, no counts, no retries.
/// </summary>
internal sealed class RawDelivery(Stack stack)
{
    public const int Pollers = 4, BatchSize = 32;

    /// <summary>LocalHost's listener: batchSize 32 + newBatchThreshold 16 (host.json); Delivery__MaxParallelEvents 8.</summary>
    private const int MessagesInFlight = 48, EventsInParallel = 8;

    /// <summary>Drains the queue until <paramref name="events"/> events have been sent.</summary>
    public async Task DrainAsync(int events)
    {
        var target = new ConvertroTarget(Options.Create(new ConvertroOptions { BaseUrl = stack.Convertro.BaseUrl.ToString() }));
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        using var slots = new SemaphoreSlim(MessagesInFlight);
        long sent = 0;
        await Task.WhenAll(Enumerable.Range(0, Pollers).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Read(ref sent) < events)
            {
                var messages = (await stack.Queue.ReceiveMessagesAsync(BatchSize, TimeSpan.FromMinutes(5))).Value;
                if (messages.Length == 0)
                {
                    await Task.Delay(50); // the others are finishing the last messages
                    continue;
                }
                await Task.WhenAll(messages.Select(async m =>
                {
                    await slots.WaitAsync();
                    try
                    {
                        Interlocked.Add(ref sent, await SendAsync(QueueMessagePacker.Deserialize(m.Body), http, target));
                        await stack.Queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
                    }
                    finally
                    {
                        slots.Release();
                    }
                }));
            }
        })));
    }

    /// <summary>Every call of every event of one message, 8 events at a time; returns the number of events.</summary>
    private static async Task<int> SendAsync(QueueEnvelope envelope, HttpClient http, ConvertroTarget target)
    {
        await Parallel.ForEachAsync(envelope.Events, new ParallelOptions { MaxDegreeOfParallelism = EventsInParallel }, async (e, ct) =>
        {
            using var document = JsonDocument.Parse(e.Utf8);
            foreach (var call in ConvertroMapper.Map(document.RootElement, Stack.Workspace, envelope.ReceivedAt).Calls)
            {
                using var response = await http.GetAsync(target.RequestFor(call, Stack.Workspace).Uri, HttpCompletionOption.ResponseHeadersRead, ct);
                response.EnsureSuccessStatusCode();
            }
        });
        return envelope.Events.Count;
    }
}
