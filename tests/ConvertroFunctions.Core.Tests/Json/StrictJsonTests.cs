using System.Text;
using ConvertroFunctions.Core.Json;

namespace ConvertroFunctions.Core.Tests.Json;

/// <summary>What the strict parse says when it refuses a text: the problem in words, and the byte.</summary>
public sealed class StrictJsonTests
{
    private static string Error(string json, JsonSource source)
    {
        Assert.False(StrictJson.TryParse(Encoding.UTF8.GetBytes(json), source, out var document, out var error));
        Assert.Null(document);
        return error!;
    }

    [Theory]
    [InlineData(64, null)]
    [InlineData(65, "event: nested deeper than 64 levels (65).")]
    [InlineData(10_000, "event: nested deeper than 64 levels (10000).")]
    public void TryParse_Depth_64LevelsAcceptedAndMoreRefusedSayingHowDeep(int depth, string? expected)
    {
        var json = string.Concat(Enumerable.Repeat("{\"a\":", depth - 1)) + "[]" + new string('}', depth - 1);

        var parsed = StrictJson.TryParse(Encoding.UTF8.GetBytes(json), JsonSource.Event, out var document, out var error);
        document?.Dispose();

        Assert.Equal(expected is null, parsed);
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("""{"a":"x\qy"}""", "event: is not valid JSON at byte 8 of the event: 'q' is an invalid escapable character within a JSON string. The string should be correctly escaped.")]
    [InlineData("""{"us\erId":"u"}""", "event: is not valid JSON at byte 5 of the event: 'e' is an invalid escapable character within a JSON string. The string should be correctly escaped.")]
    [InlineData("""{"a":"\u12G4"}""", "event: is not valid JSON at byte 10 of the event: 'G' is not a hex digit following '\\u' within a JSON string. The string should be correctly escaped.")]
    [InlineData("{\"a\":1,\n  \"b\":\"x\\q\"}", "event: is not valid JSON at byte 17 of the event: 'q' is an invalid escapable character within a JSON string. The string should be correctly escaped.")]
    [InlineData("{\"a\":\"x\u0001\"}", "event: is not valid JSON at byte 7 of the event: '0x01' is invalid within a JSON string. The string should be correctly escaped.")]
    [InlineData("""{"ok":"\\\"\/\b\f\n\r\t\u00e9","a" 1}""", "event: is not valid JSON at byte 35 of the event: '1' is invalid after a property name. Expected a ':'.")]
    public void TryParse_GrammarError_NamesTheProblemAndItsByteInTheEvent(string json, string expected)
    {
        Assert.Equal(expected, Error(json, JsonSource.Event));
    }

    [Fact]
    public void TryParse_MemberOfTheBody_CountsBytesFromTheStartOfTheBodyAndNamesFieldsUnderIt()
    {
        Assert.Equal("context: is not valid JSON at byte 108 of the body: 'q' is an invalid escapable character within a JSON string. The string should be correctly escaped.",
            Error("""{"ip":"\q"}""", JsonSource.Member("context", 100)));
        Assert.Equal("context: property \"id\" appears twice in context.device; which one counts is undefined.",
            Error("""{"device":{"id":1,"id":2}}""", JsonSource.Member("context", 100)));
    }

    [Fact]
    public void TryParse_AdminBody_KeepsItsMessages()
    {
        Assert.Equal("body: property \"siteId\" appears twice; which one counts is undefined.",
            Error("""{"siteId":"1","siteId":"2"}""", JsonSource.Body));
        Assert.False(StrictJson.TryParse(new byte[] { (byte)'"', 0xC0, 0xAF, (byte)'"' }, out _, out var error));
        Assert.Equal("body: is not valid UTF-8 (JSON must be): byte 1 of the body (0xC0) does not start a valid character.", error);
    }
}
