using System.Buffers.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using ConvertroFunctions.Core.Queueing;
using ConvertroFunctions.Core.Storage;

namespace ConvertroFunctions.Core.Monitoring;

/// <summary>
/// One queue, measured: how many messages it holds (Azure's approximate count, delayed retries
/// included) and since when its oldest visible message has been waiting (none visible: null).
/// </summary>
public sealed record QueueBacklog(string Queue, long Length, DateTimeOffset? OldestWaitingSince, DateTimeOffset MeasuredAt)
{
    /// <summary>How long the oldest visible message had been waiting when measured; zero when none was.</summary>
    public TimeSpan OldestWaiting =>
        OldestWaitingSince is { } since && since < MeasuredAt ? MeasuredAt - since : TimeSpan.Zero;
}

/// <summary>
/// Measures the two queues of the contract: their properties (the approximate count) and a peek
/// at the first <see cref="PeekLimit"/> visible messages. A peek sees only visible messages: a
/// retry still waiting out its delay is not late, and a message a delivery holds is being worked
/// on. A message waits since the later of its insertion and the not-before time its envelope
/// carries (a delayed retry's), so a retry is not counted as waiting during its own delay.
/// </summary>
public sealed class BacklogProbe
{
    /// <summary>The most messages one peek returns (Azure's limit); queues are close to first-in, first-out.</summary>
    public const int PeekLimit = 32;

    public static IReadOnlyList<string> Queues { get; } = [StorageNames.EventsQueue, StorageNames.PoisonQueue];

    private readonly Dictionary<string, QueueClient> _clients;
    private readonly TimeProvider _time;

    public BacklogProbe(StorageClients clients, TimeProvider time)
    {
        // Raw text: a peek must never fail on a message it cannot decode (a foreign writer's).
        _clients = Queues.ToDictionary(q => q, q => clients.CreateQueueClient(q, QueueMessageEncoding.None));
        _time = time;
    }

    public async Task<QueueBacklog> MeasureAsync(string queue, CancellationToken ct)
    {
        var client = _clients[queue];
        try
        {
            var properties = await client.GetPropertiesAsync(ct);
            var peeked = await client.PeekMessagesAsync(PeekLimit, ct);
            var oldest = peeked.Value.Select(WaitingSince).Min();
            return new QueueBacklog(queue, properties.Value.ApproximateMessagesCountLong, oldest, _time.GetUtcNow());
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Not created yet: nothing has waited in it.
            return new QueueBacklog(queue, 0, null, _time.GetUtcNow());
        }
    }

    /// <summary>Since when a peeked message has been waiting for a delivery.</summary>
    public static DateTimeOffset? WaitingSince(PeekedMessage message) =>
        WaitingSince(message.InsertedOn, NotBefore(message.Body));

    /// <summary>
    /// The later of the two: a delayed retry waits from its not-before time (whatever the service
    /// reports as its insertion), and a message copied to the poison queue from its insertion there.
    /// </summary>
    public static DateTimeOffset? WaitingSince(DateTimeOffset? insertedOn, DateTimeOffset? notBefore) =>
        (insertedOn, notBefore) switch
        {
            ({ } inserted, { } due) => inserted > due ? inserted : due,
            _ => insertedOn ?? notBefore,
        };

    /// <summary>The envelope's not-before time; null for a message without one or one this app cannot read.</summary>
    public static DateTimeOffset? NotBefore(BinaryData raw)
    {
        var bytes = raw.ToMemory();
        // Base64 as the Functions trigger reads it by default; plain JSON when host.json says "none".
        if (!bytes.Span.TrimStart(" \t\r\n"u8).StartsWith("{"u8))
        {
            var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(bytes.Length)];
            if (Base64.DecodeFromUtf8(bytes.Span, decoded, out _, out var written) != System.Buffers.OperationStatus.Done)
            {
                return null;
            }
            bytes = decoded.AsMemory(0, written);
        }
        try
        {
            return QueueMessagePacker.Deserialize(new BinaryData(bytes)).NotBefore;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
