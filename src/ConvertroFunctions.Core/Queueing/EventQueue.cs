using Azure.Storage.Queues;
using ConvertroFunctions.Core.Storage;

namespace ConvertroFunctions.Core.Queueing;

/// <summary>
/// The producer side of <c>segment-events</c>. The queue client encodes base64 (set once in
/// <see cref="StorageClients"/>), matching the Functions queue trigger. Messages never expire:
/// an event waiting out a long outage must not vanish.
/// </summary>
public sealed class EventQueue
{
    private const int ParallelSends = 8;
    private static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    /// <summary>The longest delay Azure Storage allows before a message becomes visible.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time;

    public EventQueue(StorageClients clients, TimeProvider time)
    {
        Queue = clients.Queues.GetQueueClient(StorageNames.EventsQueue);
        Poison = clients.Queues.GetQueueClient(StorageNames.PoisonQueue);
        _time = time;
    }

    public QueueClient Queue { get; }

    /// <summary><c>segment-events-poison</c>: the poison drain puts back what it must look at again later.</summary>
    public QueueClient Poison { get; }

    /// <summary>Packs and enqueues accepted events; throws if any message could not be enqueued.</summary>
    public async Task EnqueueAsync(
        string workspaceId, DateTimeOffset receivedAt, IReadOnlyList<ReadOnlyMemory<byte>> events, CancellationToken ct)
    {
        var messages = QueueMessagePacker.Pack(workspaceId, receivedAt, events);
        await Parallel.ForEachAsync(
            messages,
            new ParallelOptions { MaxDegreeOfParallelism = ParallelSends, CancellationToken = ct },
            async (message, token) => await SendAsync(new BinaryData(message), TimeSpan.Zero, token));
    }

    /// <summary>
    /// Enqueues one envelope (a retry or a replay), visible after <paramref name="delay"/>; a delayed
    /// one carries that time as <see cref="QueueEnvelope.NotBefore"/>.
    /// </summary>
    public Task EnqueueAsync(QueueEnvelope envelope, TimeSpan delay, CancellationToken ct) => SendAsync(Queue, envelope, delay, ct);

    /// <summary>Puts one envelope back on the poison queue, visible after <paramref name="delay"/> (the drain waits for another copy).</summary>
    public Task EnqueuePoisonAsync(QueueEnvelope envelope, TimeSpan delay, CancellationToken ct) => SendAsync(Poison, envelope, delay, ct);

    /// <summary>One envelope; a delayed one carries when it becomes visible as <see cref="QueueEnvelope.NotBefore"/>.</summary>
    private Task SendAsync(QueueClient queue, QueueEnvelope envelope, TimeSpan delay, CancellationToken ct)
    {
        var wait = Clamp(delay);
        var stamped = envelope with { NotBefore = wait > TimeSpan.Zero ? _time.GetUtcNow() + wait : null };
        return SendAsync(queue, new BinaryData(QueueMessagePacker.Serialize(stamped)), wait, ct);
    }

    private Task SendAsync(BinaryData message, TimeSpan delay, CancellationToken ct) => SendAsync(Queue, message, delay, ct);

    private static Task SendAsync(QueueClient queue, BinaryData message, TimeSpan delay, CancellationToken ct) =>
        StorageErrors.WithQueueAsync(
            queue,
            async () => await queue.SendMessageAsync(message, Clamp(delay), NeverExpires, ct),
            ct);

    private static TimeSpan Clamp(TimeSpan delay) =>
        delay < TimeSpan.Zero ? TimeSpan.Zero : delay > MaxDelay ? MaxDelay : delay;
}
