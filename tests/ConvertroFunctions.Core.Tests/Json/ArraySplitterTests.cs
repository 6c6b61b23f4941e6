using System.Text;
using ConvertroFunctions.Core.Json;

namespace ConvertroFunctions.Core.Tests.Json;

/// <summary>
/// The tolerant splitter: it must find every element's exact span whatever is wrong inside an
/// element, and fail cleanly (never throw) when what is wrong lies between elements.
/// </summary>
public sealed class ArraySplitterTests
{
    private static (List<string> Elements, string? Error) Split(byte[] body)
    {
        var spans = new List<Range>();
        var error = ArraySplitter.Split(body, Array.IndexOf(body, (byte)'['), spans, out var end);
        if (error is null)
        {
            Assert.Equal((byte)']', body[end - 1]);
        }
        return (spans.Select(r => Encoding.UTF8.GetString(body.AsSpan(r))).ToList(), error);
    }

    private static List<string> Elements(string json)
    {
        var (elements, error) = Split(Encoding.UTF8.GetBytes(json));
        Assert.Null(error);
        return elements;
    }

    private static string Error(string json)
    {
        var (_, error) = Split(Encoding.UTF8.GetBytes(json));
        Assert.NotNull(error);
        return error;
    }

    [Fact]
    public void Split_BracketsAndCommasInsideStrings_AreNotStructure()
    {
        const string a = """{"event":"a]b},[{c","p":{"list":["]","}",","]}}""";
        const string b = """{"k":"[[["}""";

        Assert.Equal([a, b], Elements("[" + a + "," + b + "]"));
    }

    [Fact]
    public void Split_EscapedQuotesAndBackslashes_DoNotEndTheString()
    {
        const string a = """{"q":"say \"hi\" ] }","path":"C:\\dir\\","n":1}""";
        const string b = """{"e":"\\\"]"}""";

        Assert.Equal([a, b], Elements("[" + a + "," + b + "]"));
    }

    [Fact]
    public void Split_WhitespaceEverywhere_SpansHoldOnlyTheElements()
    {
        Assert.Equal(["{\"a\" : 1}", "[ 1 , 2 ]", "\"s\"", "12.5e3", "null"],
            Elements(" [\r\n\t{\"a\" : 1} ,\n[ 1 , 2 ]\t, \"s\",12.5e3 , null \n] "));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[ \n ]")]
    public void Split_EmptyArray_NoElements(string json)
    {
        Assert.Empty(Elements(json));
    }

    [Theory]
    [InlineData("""[{"a":1},]""", "expected event 1 at byte 9, found ']' (a comma after the last event?)")]
    [InlineData("""[,{"a":1}]""", "expected event 0 at byte 1, found ','")]
    [InlineData("""[{"a":1},,{"b":2}]""", "expected event 1 at byte 9, found ','")]
    [InlineData("""[{"a":1} {"b":2}]""", "expected ',' or ']' after event 0 at byte 9, found '{'")]
    [InlineData("""[{"a":1}x,{"b":2}]""", "expected ',' or ']' after event 0 at byte 8, found 'x'")]
    [InlineData("""[{"a":1}:{"b":2}]""", "expected ',' or ']' after event 0 at byte 8, found ':'")]
    [InlineData("""[{"a":1}}""", "expected ',' or ']' after event 0 at byte 8, found '}'")]
    [InlineData("""[{"a":1]""", "event 0 opens with '{' at byte 1 but ']' at byte 7 closes it")]
    [InlineData("""[{"a":1}""", "it ends at byte 8, where ',' or ']' after event 0 should be")]
    [InlineData("""[{"a":"x""", "it ends at byte 8, inside event 0 (which starts at byte 1)")]
    [InlineData("""[{"a":1},""", "it ends at byte 9, where event 1 should be")]
    public void Split_ProblemBetweenElements_FailsSayingWhatAndWhere(string json, string expected)
    {
        Assert.Equal(expected, Error(json));
    }

    [Fact]
    public void Split_GarbageByteBetweenElements_NamedByItsHexValue()
    {
        byte[] body = [.. "[{\"a\":1}"u8, 0xFF, .. ",{\"b\":2}]"u8];

        Assert.Equal("expected ',' or ']' after event 0 at byte 8, found 0xFF", Split(body).Error);
    }

    [Fact]
    public void Split_TruncatedAtEveryPosition_FailsCleanly()
    {
        var body = Encoding.UTF8.GetBytes("""[{"type":"track","event":"A \"q\" [x]","messageId":"m1","n":[1,{"b":null}]},"é\\",7,true]""");
        Assert.Null(Split(body).Error);

        for (var length = 1; length < body.Length; length++)
        {
            var (_, error) = Split(body[..length]);
            Assert.False(error is null, $"a body cut to {length} bytes was split");
        }
    }

    [Fact]
    public void Split_ElementNested10000Deep_OneElementAndNoStackOverflow()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);

        Assert.Equal(["{\"a\":1}", deep, "{\"b\":2}"], Elements("[{\"a\":1}," + deep + ",{\"b\":2}]"));
    }

    [Fact]
    public void Split_InvalidUtf8AndBadEscapesInsideOneElement_OtherElementsKeepTheirExactBytes()
    {
        byte[] bad = [.. "{\"e\":\"a"u8, 0xC3, 0x28, 0xFF, .. "\\q\",\"e\":1,\"\\ud800\":2}"u8];
        byte[] body = [.. "[{\"a\":1},"u8, .. bad, .. ",{\"b\":2}]"u8];
        var spans = new List<Range>();

        Assert.Null(ArraySplitter.Split(body, 0, spans, out _));

        Assert.Equal(3, spans.Count);
        Assert.Equal(bad, body[spans[1]]);
        Assert.Equal("{\"b\":2}", Encoding.UTF8.GetString(body[spans[2]]));
    }

    [Theory]
    [InlineData("""{"messageId":"m-1","type":"track","type":"identify"}""", "m-1")]
    [InlineData("""{"a":{"messageId":"inner"},"messageId":"m-\u00e9"}""", "m-é")]
    [InlineData("""{"m\u0065ssageId":"escaped-name","x":"\q"}""", "escaped-name")]
    [InlineData("""{"messageId":17}""", null)]
    [InlineData("""{"messageId":"\ud800"}""", null)]
    [InlineData("""{"type":"track"}""", null)]
    [InlineData("""["messageId","m"]""", null)]
    public void TopLevelString_ReadsTheMessageIdOfAnEventThatDoesNotParse(string json, string? expected)
    {
        Assert.Equal(expected, JsonScanner.TopLevelString(Encoding.UTF8.GetBytes(json), "messageId"u8));
    }
}
