using System.Text;
using ConvertroFunctions.Core.Segment;

namespace ConvertroFunctions.Core.Tests;

/// <summary>Events that are not safe text, or name a property twice: each rejected on its own, with the place named.</summary>
public sealed class UnicodeAndDuplicateTests
{
    [Fact]
    public void Validate_InvalidUtf8InAString_EventRejectedNamingTheByte()
    {
        byte[] body = [.. "{\"type\":\"track\",\"event\":\"a"u8, 0xC3, 0x28, .. "\"}"u8];
        using var parsed = SegmentBodies.Parse(body);

        var problem = parsed.Problem(0);

        Assert.NotNull(problem);
        Assert.Equal("event: is not valid UTF-8 (JSON must be): byte 26 of the event (0xC3) does not start a valid character.",
            Assert.Single(problem.Errors));
    }

    [Fact]
    public void Validate_InvalidUtf8InOneElement_OnlyThatEventRejected()
    {
        byte[] body = [.. "[{\"type\":\"identify\",\"messageId\":\"ok\",\"userId\":\"u\"},{\"messageId\":\"bad\",\"e\":\"a"u8, 0xFF, .. "\"}]"u8];
        using var parsed = SegmentBodies.Parse(body);

        Assert.Null(parsed.Problem(0));
        var problem = parsed.Problem(1);
        Assert.NotNull(problem);
        Assert.Equal("bad", problem.MessageId);
        Assert.Equal("event: is not valid UTF-8 (JSON must be): byte 25 of the event (0xFF) does not start a valid character.",
            Assert.Single(problem.Errors));
    }

    [Theory]
    [InlineData("""{"type":"track","type":"identify","messageId":"m"}""", "event: property \"type\" appears twice; which one counts is undefined.")]
    [InlineData("""[{"type":"track","messageId":"m","context":{"device":{"id":"a","id":"b"}}}]""", "event: property \"id\" appears twice in context.device; which one counts is undefined.")]
    [InlineData("""[{"type":"track","messageId":"m","properties":{"list":[{"k":1,"k":2}]}}]""", "event: property \"k\" appears twice in properties.list[0]; which one counts is undefined.")]
    [InlineData("""{"type":"track","messageId":"m","t\u0079pe":"x"}""", "event: property \"type\" appears twice; which one counts is undefined.")]
    public void Validate_DuplicatePropertyName_EventRejectedNamingItAndWhere(string json, string expected)
    {
        using var body = SegmentBodies.Parse(json);

        var problem = body.Problem(0);

        Assert.NotNull(problem);
        Assert.Equal("m", problem.MessageId);
        Assert.Equal(expected, Assert.Single(problem.Errors));
    }

    [Theory]
    [InlineData("""{"type":"track","event":"x\ud800","messageId":"m","userId":"u"}""", "event")]
    [InlineData("""{"type":"track","event":"x","messageId":"m","userId":"u","properties":{"list":["ok","\udc00\ud800"]}}""", "properties.list[1]")]
    public void Validate_UnpairedSurrogateEscape_EventRejectedNamingThePath(string json, string path)
    {
        using var body = SegmentBodies.Parse(json);

        var problem = body.Problem(0);

        Assert.NotNull(problem);
        Assert.Equal($"{path}: holds an unpaired UTF-16 surrogate escape (\\uD800–\\uDFFF on its own), which is not valid Unicode text.",
            Assert.Single(problem.Errors));
    }

    [Fact]
    public void Validate_UnpairedSurrogateEscapeInAPropertyName_EventRejectedWithItsMessageId()
    {
        using var body = SegmentBodies.Parse("""[{"type":"track","event":"x","messageId":"m","userId":"u","properties":{"\uDBFF":1}},{"type":"identify","messageId":"n","userId":"u"}]""");

        var problem = body.Problem(0);

        Assert.NotNull(problem);
        Assert.Equal("m", problem.MessageId);
        Assert.Equal("properties.<a property name>: holds an unpaired UTF-16 surrogate escape (\\uD800–\\uDFFF on its own), which is not valid Unicode text.",
            Assert.Single(problem.Errors));
        Assert.Null(body.Problem(1));
    }

    [Fact]
    public void Validate_PairedSurrogateEscape_IsAnOrdinaryCharacter()
    {
        using var body = SegmentBodies.Parse("""{"type":"track","event":"Liked \ud83d\ude00","messageId":"m","userId":"u"}""");

        Assert.Null(body.Problem(0));
    }

}
