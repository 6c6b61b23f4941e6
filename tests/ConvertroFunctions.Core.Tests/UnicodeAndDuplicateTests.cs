using System.Text;
using ConvertroFunctions.Core.Segment;

namespace ConvertroFunctions.Core.Tests;

/// <summary>Bodies that parse as JSON grammar but are not safe text: refused with the place named.</summary>
public sealed class UnicodeAndDuplicateTests
{
    [Fact]
    public void TryParse_InvalidUtf8InAString_RefusedNamingTheOffset()
    {
        byte[] body = [.. "{\"type\":\"track\",\"event\":\"a"u8, 0xC3, 0x28, .. "\"}"u8];

        Assert.False(SegmentBody.TryParse(body, out var parsed, out var error));

        Assert.Null(parsed);
        Assert.Equal("The body is not valid UTF-8 (JSON must be): the byte at offset 26 (0xC3) does not start a valid character.", error);
    }

    [Theory]
    [InlineData("""{"type":"track","type":"identify","messageId":"m"}""", "type")]
    [InlineData("""[{"type":"track","context":{"device":{"id":"a","id":"b"}}}]""", "id")]
    public void TryParse_DuplicatePropertyName_RefusedAsMalformed(string json, string name)
    {
        Assert.False(SegmentBody.TryParse(Encoding.UTF8.GetBytes(json), out _, out var error));

        Assert.StartsWith("The body is not valid JSON", error);
        Assert.Contains($"'{name}'", error);
    }

    [Theory]
    [InlineData("""{"type":"track","event":"x\ud800","messageId":"m","userId":"u"}""", "event")]
    [InlineData("""{"type":"track","event":"x","messageId":"m","userId":"u","properties":{"list":["ok","\udc00\ud800"]}}""", "properties.list[1]")]
    public void Validate_UnpairedSurrogateEscape_EventRejectedNamingThePath(string json, string path)
    {
        using var body = Parse(json);

        var problem = SegmentEventValidator.Validate(body.Events[0]);

        Assert.NotNull(problem);
        Assert.Equal($"{path}: holds an unpaired UTF-16 surrogate escape (\\uD800–\\uDFFF on its own), which is not valid Unicode text.",
            Assert.Single(problem.Errors));
    }

    [Fact]
    public void TryParse_UnpairedSurrogateEscapeInAPropertyName_RefusedAsMalformed()
    {
        var json = """{"type":"track","event":"x","messageId":"m","userId":"u","properties":{"\uDBFF":1}}""";

        Assert.False(SegmentBody.TryParse(Encoding.UTF8.GetBytes(json), out _, out var error));

        Assert.Equal("The body is not valid JSON: a property name holds an unpaired UTF-16 surrogate escape (\\uD800–\\uDFFF on its own).", error);
    }

    [Fact]
    public void Validate_PairedSurrogateEscape_IsAnOrdinaryCharacter()
    {
        using var body = Parse("""{"type":"track","event":"Liked \ud83d\ude00","messageId":"m","userId":"u"}""");

        Assert.Null(SegmentEventValidator.Validate(body.Events[0]));
    }

    private static SegmentBody Parse(string json)
    {
        Assert.True(SegmentBody.TryParse(Encoding.UTF8.GetBytes(json), out var body, out var error), error);
        return body!;
    }
}
