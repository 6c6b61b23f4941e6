using System.Text;
using System.Text.Json;
using ConvertroFunctions.Core.Segment;

namespace ConvertroFunctions.Core.Tests;

public sealed class SegmentBodyTests
{
    private static SegmentBody Parse(string json)
    {
        Assert.True(SegmentBody.TryParse(Encoding.UTF8.GetBytes(json), out var body, out var error), error);
        return body!;
    }

    private static string Text(RawEvent e) => Encoding.UTF8.GetString(e.Utf8.Span);

    [Fact]
    public void TryParse_SingleObject_OneEventWhoseRawTextIsTheWholeBody()
    {
        const string json = """{"type":"track","event":"Café","messageId":"m","properties":{"v":1.0}}""";
        using var body = Parse(json);

        Assert.Equal(BodyShape.SingleEvent, body.Shape);
        var e = Assert.Single(body.Events);
        Assert.Equal(json, Text(e));
        Assert.True(body.FirstArrayElement.IsEmpty);
    }

    [Fact]
    public void TryParse_Array_EachEventKeepsItsExactRawText()
    {
        const string a = """{"type":"track","event":"\u00e9t\u00e9","messageId":"1","properties":{"total":1e3}}""";
        const string b = """{"type":"identify","messageId":"2","userId":"ü"}""";
        using var body = Parse("[ " + a + " ,\n " + b + " ]");

        Assert.Equal(BodyShape.Array, body.Shape);
        Assert.Equal([a, b], body.Events.Select(Text));
        Assert.Equal([0, 1], body.Events.Select(e => e.Index));
        Assert.Equal(a, Encoding.UTF8.GetString(body.FirstArrayElement.Span));
    }

    [Fact]
    public void TryParse_Batch_MergesTopLevelContextAndIntegrationsIntoEachItem_ItemKeysWin()
    {
        const string json = """
            {"batch":[
              {"type":"track","event":"A","messageId":"1","context":{"ip":"2.2.2.2"},"properties":{"price":1.0,"t":"\u00e9"}},
              {"type":"identify","messageId":"2","userId":"u","integrations":{"Convertro":true}}
            ],
            "context":{"device":{"id":"top-device"},"ip":"1.1.1.1"},
            "integrations":{"All":false}}
            """;
        using var body = Parse(json);

        Assert.Equal(BodyShape.Batch, body.Shape);
        var first = body.Events[0].Element;
        Assert.Equal("2.2.2.2", first.GetProperty("context").GetProperty("ip").GetString());
        Assert.Equal("top-device", first.GetProperty("context").GetProperty("device").GetProperty("id").GetString());
        Assert.False(first.GetProperty("integrations").GetProperty("All").GetBoolean());
        // Values are copied as raw text, never re-serialized.
        Assert.Contains("\"properties\":{\"price\":1.0,\"t\":\"\\u00e9\"}", Text(body.Events[0]));

        var second = body.Events[1].Element;
        Assert.Equal("top-device", second.GetProperty("context").GetProperty("device").GetProperty("id").GetString());
        Assert.True(second.GetProperty("integrations").GetProperty("Convertro").GetBoolean());
        Assert.False(second.GetProperty("integrations").GetProperty("All").GetBoolean());
        Assert.True(body.FirstArrayElement.IsEmpty);
    }

    [Fact]
    public void TryParse_BatchWithoutSharedFields_ItemsKeepRawText()
    {
        const string item = """{"type":"track","event":"A","messageId":"1","properties":{"v":1.0}}""";
        using var body = Parse("""{"batch":[""" + item + "]}");

        Assert.Equal(item, Text(Assert.Single(body.Events)));
    }

    [Theory]
    [InlineData("{\"type\":", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    [InlineData("42", "must be a JSON object")]
    [InlineData("\"text\"", "must be a JSON object")]
    [InlineData("{\"batch\":{}}", "batch: must be an array")]
    public void TryParse_BadBody_ExplainsWhy(string json, string expected)
    {
        Assert.False(SegmentBody.TryParse(Encoding.UTF8.GetBytes(json), out var body, out var error));
        Assert.Null(body);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void TryParse_ArrayOfNonObjects_ParsesSoValidationCanRejectEachOne()
    {
        using var body = Parse("[1, \"x\"]");

        Assert.Equal([JsonValueKind.Number, JsonValueKind.String], body.Events.Select(e => e.Element.ValueKind));
    }
}
