using System.Text;
using ConvertroFunctions.Core.Queueing;

namespace ConvertroFunctions.Core.Tests;

public sealed class QueueMessagePackerTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private static byte[] Event(int i, int padding) => Encoding.UTF8.GetBytes(
        $$$"""{"type":"track","event":"Café \u00e9 {{{i}}}","messageId":"m-{{{i}}}","userId":"u","properties":{"v":1.0,"n":1e3,"pad":"{{{new string('x', padding)}}}"}}""");

    [Fact]
    public void Pack_ManyEvents_EveryMessageFitsTheQueueAfterBase64AndEventsComeBackByteForByte()
    {
        var events = Enumerable.Range(0, 1000).Select(i => (ReadOnlyMemory<byte>)Event(i, i % 700)).ToList();

        var messages = QueueMessagePacker.Pack("ws-1", At, events);

        Assert.All(messages, m => Assert.True(m.Length <= QueueMessagePacker.MaxMessageBytes, $"{m.Length} bytes"));
        Assert.All(messages, m => Assert.True(Convert.ToBase64String(m).Length <= 64 * 1024));
        Assert.InRange(messages.Count, 2, 1000 / 10);
        var roundTripped = messages.Select(m => QueueMessagePacker.Deserialize(new BinaryData(m)))
            .SelectMany(envelope =>
            {
                Assert.Equal("ws-1", envelope.WorkspaceId);
                Assert.Equal(At, envelope.ReceivedAt);
                Assert.Null(envelope.Retry);
                return envelope.Events;
            })
            .Select(e => e.Utf8.ToArray())
            .ToList();
        Assert.Equal(events.Select(e => e.ToArray()), roundTripped);
    }

    [Fact]
    public void Pack_EventAtThe32KiBLimit_FitsInAMessageOfItsOwn()
    {
        var big = Event(1, 32 * 1024 - 200);
        Assert.InRange(big.Length, 32 * 1024 - 100, 32 * 1024);

        var messages = QueueMessagePacker.Pack("ws-1", At, [big, big]);

        Assert.Equal(2, messages.Count);
    }

    [Fact]
    public void Pack_EventLargerThanAMessage_Refused()
    {
        var huge = Event(1, 50_000);

        Assert.Throws<ArgumentException>(() => QueueMessagePacker.Pack("ws-1", At, [huge]));
    }

    [Theory]
    [InlineData("""{"v":3,"workspaceId":"w","receivedAt":"2026-03-01T10:00:00+00:00","events":[]}""", "Unsupported message version 3")]
    [InlineData("null", "JSON null")]
    [InlineData("""{"v":1,"workspaceId":"w"}""", "")]
    public void Deserialize_NotAnEnvelopeOfThisVersion_ThrowsJsonException(string json, string expected)
    {
        var error = Assert.ThrowsAny<System.Text.Json.JsonException>(() => QueueMessagePacker.Deserialize(BinaryData.FromString(json)));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Deserialize_Version1MessageWrittenBeforeCopyIds_ReadWithNoIdAndNoWaits()
    {
        var back = QueueMessagePacker.Deserialize(BinaryData.FromString(
            """{"v":1,"workspaceId":"w","receivedAt":"2026-03-01T10:00:00+00:00","events":[{"type":"track"}],"retry":{"attempt":2}}"""));

        Assert.Equal((1, null, 0, 2), (back.Version, back.Id, back.Waits, back.Retry!.Attempt));
    }

    [Fact]
    public void Pack_EachMessage_ACopyIdOfItsOwnAndVersion2()
    {
        var messages = QueueMessagePacker.Pack("ws-1", At, [Event(1, 30_000), Event(2, 30_000)]);

        var ids = messages.Select(m => QueueMessagePacker.Deserialize(new BinaryData(m))).Select(e => (e.Version, e.Id)).ToList();
        Assert.Equal(2, ids.Count);
        Assert.All(ids, id => Assert.Equal(2, id.Version));
        Assert.NotEqual(ids[0].Id, ids[1].Id);
    }

    [Fact]
    public void For_RetryIsANewCopyWaitAndHandBackTheSameCopy()
    {
        var envelope = new QueueEnvelope { Id = "copy-1", WorkspaceId = "ws-1", ReceivedAt = At, Events = [new RawJson(Event(1, 3))], Waits = 2 };

        var retry = envelope.For(envelope.Events[0], new RetryState { Attempt = 1 }, newCopy: true);
        var wait = envelope.For(envelope.Events[0], null);

        Assert.NotEqual("copy-1", retry.Id);
        Assert.Equal(0, retry.Waits);
        Assert.Equal(("copy-1", 2), (wait.Id, wait.Waits));
    }

    [Fact]
    public void Serialize_RetryEnvelope_RoundTripsDeliveredCallsAndAttempt()
    {
        var envelope = new QueueEnvelope
        {
            WorkspaceId = "ws-1",
            ReceivedAt = At,
            Events = [new RawJson(Event(7, 3))],
            Retry = new RetryState { Attempt = 2, Delivered = ["events:sale.new"], FirstFailureAt = At, LastError = "503", LastStatus = 503 },
        };

        var back = QueueMessagePacker.Deserialize(new BinaryData(QueueMessagePacker.Serialize(envelope)));

        Assert.Equal(2, back.Retry!.Attempt);
        Assert.Equal(["events:sale.new"], back.Retry.Delivered);
        Assert.Equal(503, back.Retry.LastStatus);
        Assert.Equal(Event(7, 3), back.Events[0].Utf8.ToArray());
    }
}
