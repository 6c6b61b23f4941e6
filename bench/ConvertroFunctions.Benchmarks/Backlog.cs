using System.Text;
using ConvertroFunctions.Core.Queueing;

namespace ConvertroFunctions.Benchmarks;

/// <summary>
/// A backlog for delivery to drain: a fresh storage and Convertro record, then segment-events
/// filled with the SDK, 16 writes at a time, with exactly the messages ingest writes.
/// </summary>
internal static class Backlog
{
    public const int ArraySize = 50;

    /// <summary><paramref name="count"/> single-event messages, eids "{prefix}-{n}".</summary>
    public static Task SinglesAsync(Stack stack, string prefix, int count) =>
        FillAsync(stack, count, reset: true, n => IngestBenchmarks.RawEnqueueAsync(stack.Queue, prefix, n));

    /// <summary>
    /// <paramref name="count"/> Segment arrays of 50 events (eids "{prefix}-{n}-{i}", n from
    /// <paramref name="first"/>), each packed with <see cref="QueueMessagePacker.Pack"/> as ingest packs
    /// an array it accepts (one message each); with <paramref name="reset"/> false, added to what is there.
    /// </summary>
    public static Task ArraysAsync(Stack stack, string prefix, int count, int first = 1, bool reset = true) => FillAsync(stack, count, reset, async i =>
    {
        var n = first - 1 + i;
        var events = Events.Batch(n, ArraySize, prefix).Select(e => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(e)).ToList();
        foreach (var message in QueueMessagePacker.Pack(Stack.WorkspaceId, DateTimeOffset.UtcNow, events))
        {
            await stack.Queue.SendMessageAsync(new BinaryData(message), timeToLive: TimeSpan.FromSeconds(-1));
        }
        return 1;
    });

    private static async Task FillAsync(Stack stack, int count, bool reset, Func<long, Task<int>> enqueue)
    {
        if (reset)
        {
            await stack.ResetStorageAsync();
            stack.Convertro.Clear();
        }
        long next = 0;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            long n;
            while ((n = Interlocked.Increment(ref next)) <= count)
            {
                await enqueue(n);
            }
        })));
    }
}
