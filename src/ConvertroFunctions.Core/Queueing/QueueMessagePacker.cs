using System.Text.Json;

namespace ConvertroFunctions.Core.Queueing;

/// <summary>
/// Packs accepted events into as few queue messages as fit. A Storage queue message holds 64 KiB
/// of text and messages are base64-encoded (the Functions trigger's default), so each message's
/// JSON stays under 48,000 bytes (64,000 characters once encoded). An event is at most 32 KiB, so
/// every event fits in a message of its own.
/// </summary>
public static class QueueMessagePacker
{
    public const int MaxMessageBytes = 48_000;

    public static List<byte[]> Pack(
        string workspaceId, DateTimeOffset receivedAt, IReadOnlyList<ReadOnlyMemory<byte>> events,
        int maxMessageBytes = MaxMessageBytes)
    {
        var overhead = Serialize(Envelope(workspaceId, receivedAt, [])).Length;
        var messages = new List<byte[]>();
        var group = new List<RawJson>();
        var size = overhead;
        foreach (var e in events)
        {
            var added = e.Length + 1; // the event and its separating comma
            if (overhead + added > maxMessageBytes)
            {
                throw new ArgumentException(
                    $"An event of {e.Length} bytes cannot fit in a queue message of {maxMessageBytes} bytes.", nameof(events));
            }
            if (group.Count > 0 && size + added > maxMessageBytes)
            {
                messages.Add(Serialize(Envelope(workspaceId, receivedAt, group)));
                group = [];
                size = overhead;
            }
            group.Add(new RawJson(e));
            size += added;
        }
        if (group.Count > 0)
        {
            messages.Add(Serialize(Envelope(workspaceId, receivedAt, group)));
        }
        return messages;
    }

    public static byte[] Serialize(QueueEnvelope envelope) =>
        JsonSerializer.SerializeToUtf8Bytes(envelope, CoreJsonContext.Default.QueueEnvelope);

    /// <summary>Reads a message body; throws <see cref="JsonException"/> when it is not an envelope.</summary>
    public static QueueEnvelope Deserialize(BinaryData body)
    {
        var envelope = JsonSerializer.Deserialize(body, CoreJsonContext.Default.QueueEnvelope)
            ?? throw new JsonException("The message is JSON null.");
        if (!QueueEnvelope.IsReadable(envelope.Version))
        {
            throw new JsonException($"Unsupported message version {envelope.Version}; this app reads versions 1 and {QueueEnvelope.CurrentVersion}.");
        }
        return envelope;
    }

    /// <summary>One copy: each message ingest writes has its own id (the ledger's owner token).</summary>
    private static QueueEnvelope Envelope(string workspaceId, DateTimeOffset receivedAt, IReadOnlyList<RawJson> events) =>
        new() { Id = QueueEnvelope.NewId(), WorkspaceId = workspaceId, ReceivedAt = receivedAt, Events = events };
}
