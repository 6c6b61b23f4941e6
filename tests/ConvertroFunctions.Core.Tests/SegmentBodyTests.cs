using System.Text;
using System.Text.Json;
using ConvertroFunctions.Core.Segment;

namespace ConvertroFunctions.Core.Tests;

public sealed class SegmentBodyTests
{
    [Fact]
    public void TryParse_SingleObject_OneEventWhoseRawTextIsTheWholeBody()
    {
        const string json = """{"type":"track","event":"Café","messageId":"m","properties":{"v":1.0}}""";
        using var body = SegmentBodies.Parse(json);

        Assert.Equal(BodyShape.SingleEvent, body.Shape);
        Assert.Equal([json], body.Texts());
        Assert.True(body.FirstArrayElement.IsEmpty);
    }

    [Fact]
    public void TryParse_Array_EachEventKeepsItsExactRawText()
    {
        const string a = """{"type":"track","event":"\u00e9t\u00e9","messageId":"1","properties":{"total":1e3}}""";
        const string b = """{"type":"identify","messageId":"2","userId":"ü"}""";
        using var body = SegmentBodies.Parse("[ " + a + " ,\n " + b + " ]");

        Assert.Equal(BodyShape.Array, body.Shape);
        Assert.Equal([a, b], body.Texts());
        Assert.Equal([0, 1], Enumerable.Range(0, body.Count).Select(i => body.With(i, e => e.Index)));
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
        using var body = SegmentBodies.Parse(json);

        Assert.Equal(BodyShape.Batch, body.Shape);
        var first = body.Element(0);
        Assert.Equal("2.2.2.2", first.GetProperty("context").GetProperty("ip").GetString());
        Assert.Equal("top-device", first.GetProperty("context").GetProperty("device").GetProperty("id").GetString());
        Assert.False(first.GetProperty("integrations").GetProperty("All").GetBoolean());
        // Values are copied as raw text, never re-serialized.
        Assert.Contains("\"properties\":{\"price\":1.0,\"t\":\"\\u00e9\"}", body.Text(0));

        var second = body.Element(1);
        Assert.Equal("top-device", second.GetProperty("context").GetProperty("device").GetProperty("id").GetString());
        Assert.True(second.GetProperty("integrations").GetProperty("Convertro").GetBoolean());
        Assert.False(second.GetProperty("integrations").GetProperty("All").GetBoolean());
        Assert.True(body.FirstArrayElement.IsEmpty);
    }

    [Fact]
    public void TryParse_BatchWithoutSharedFields_ItemsKeepRawText()
    {
        const string item = """{"type":"track","event":"A","messageId":"1","properties":{"v":1.0}}""";
        using var body = SegmentBodies.Parse("""{"batch":[""" + item + "]}");

        Assert.Equal([item], body.Texts());
    }

    [Theory]
    [InlineData("{\"type\":", "The body is not valid JSON: it ends at byte 8, before the object that starts at byte 0 is closed.")]
    [InlineData("", "The body is not valid JSON: it is empty.")]
    [InlineData(" \n", "The body is not valid JSON: it is empty.")]
    [InlineData("42", "The body must be a JSON object (one event), an array of events, or {\"batch\":[…]}; it starts with '4' at byte 0.")]
    [InlineData("\"text\"", "The body must be a JSON object (one event), an array of events, or {\"batch\":[…]}; it starts with '\"' at byte 0.")]
    [InlineData("{\"batch\":{}}", "batch: must be an array of events.")]
    [InlineData("{\"batch\":null}", "batch: must be an array of events.")]
    [InlineData("[{\"a\":1}] x", "The body is not valid JSON: unexpected 'x' at byte 10, after the end of the array.")]
    [InlineData("{\"a\":1}{\"b\":2}", "The body is not valid JSON: unexpected '{' at byte 7, after the end of the object.")]
    [InlineData("[{\"a\":1},]", "The body is not valid JSON: expected event 1 at byte 9, found ']' (a comma after the last event?).")]
    [InlineData("{\"a\":[1]]", "The body is not valid JSON: the object that starts at byte 0 is closed by ']' at byte 8.")]
    public void TryParse_TopLevelUnreadable_ExplainsWhatAndWhere(string json, string expected)
    {
        Assert.False(SegmentBody.TryParse(Encoding.UTF8.GetBytes(json), out var body, out var error));
        Assert.Null(body);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Read_ArrayOfNonObjects_ParsesSoValidationCanRejectEachOne()
    {
        using var body = SegmentBodies.Parse("[1, \"x\"]");

        Assert.Equal([JsonValueKind.Number, JsonValueKind.String], [body.Element(0).ValueKind, body.Element(1).ValueKind]);
    }

    [Fact]
    public void TryParse_LeadingByteOrderMark_SkippedAndNotPartOfAnyEvent()
    {
        const string a = """{"type":"identify","messageId":"1","userId":"u"}""";
        byte[] bom = [0xEF, 0xBB, 0xBF];

        using var single = SegmentBodies.Parse([.. bom, .. Encoding.UTF8.GetBytes(" " + a + "\n")]);
        using var array = SegmentBodies.Parse([.. bom, .. Encoding.UTF8.GetBytes("[" + a + "]")]);

        Assert.Equal([a], single.Texts());
        Assert.Equal([a], array.Texts());
        Assert.Equal(a, Encoding.UTF8.GetString(array.FirstArrayElement.Span));
        Assert.Null(single.Problem(0));
    }

    [Fact]
    public void TryParse_ByteOrderMarkNotAtTheStart_IsGarbage()
    {
        byte[] body = [.. " "u8, 0xEF, 0xBB, 0xBF, .. "{}"u8];

        Assert.False(SegmentBody.TryParse(body, out _, out var error));
        Assert.StartsWith("The body must be a JSON object", error);
    }

    [Fact]
    public void Read_ProblemsInsideEvents_RejectOnlyThoseEventsEachWithItsMessageIdAndWhy()
    {
        string[] events =
        [
            """{"type":"identify","messageId":"good-0","userId":"u"}""",
            """{"type":"identify","messageId":"dup","userId":"a","userId":"b"}""",
            """{"type":"identify","messageId":"deep","userId":"u","traits":""" + new string('[', 70) + new string(']', 70) + "}",
            """{"type":"identify","messageId":"escape","us\erId":"u"}""",
            """{"type":"identify","messageId":"big","userId":"u","traits":{"p":" """ + new string('x', 40_000) + "\"}}",
            """{"type":"identify","messageId":"good-5","userId":"u"}""",
        ];
        using var body = SegmentBodies.Parse("[" + string.Join(",", events) + "]");

        var problems = Enumerable.Range(0, body.Count).Select(body.Problem).ToList();

        Assert.Null(problems[0]);
        Assert.Null(problems[5]);
        Assert.Equal(["dup", "deep", "escape", "big"], problems[1..5].Select(p => p!.MessageId));
        Assert.Equal([1, 2, 3, 4], problems[1..5].Select(p => p!.Index));
        Assert.Equal("event: property \"userId\" appears twice; which one counts is undefined.", Assert.Single(problems[1]!.Errors));
        Assert.Equal("event: nested deeper than 64 levels (71).", Assert.Single(problems[2]!.Errors));
        Assert.Equal("event: is not valid JSON at byte 44 of the event: 'e' is an invalid escapable character within a JSON string. The string should be correctly escaped.", Assert.Single(problems[3]!.Errors));
        Assert.Equal($"event: is {events[4].Length} bytes; the limit is 32768 bytes (32 KiB) per event.", Assert.Single(problems[4]!.Errors));
        Assert.Equal([events[0], events[1], events[5]], new[] { 0, 1, 5 }.Select(body.Text));
        Assert.Equal(events[0], Encoding.UTF8.GetString(body.FirstArrayElement.Span));
    }

    [Fact]
    public void Read_SingleEventFailingTheStrictParse_OneRejectedEvent()
    {
        using var body = SegmentBodies.Parse("""{"type":"track","type":"identify","messageId":"only"}""");

        var problem = body.Problem(0);

        Assert.Equal((BodyShape.SingleEvent, 1), (body.Shape, body.Count));
        Assert.NotNull(problem);
        Assert.Equal((0, "only"), (problem.Index, problem.MessageId));
        Assert.Equal(["event: property \"type\" appears twice; which one counts is undefined."], problem.Errors);
    }

    [Theory]
    [InlineData("""{"messageId":"m\"1","userId":"u" "type":"identify"}""")]
    [InlineData("""{"messageId":"m\"1","userId":"u","type":"identify",}""")]
    [InlineData("""{"messageId":"m\"1","userId":"u","type" "identify"}""")]
    public void Read_ObjectNotReadableMemberByMember_StillOneEventRejectedByItsStrictParse(string json)
    {
        using var body = SegmentBodies.Parse(json);

        var problem = body.Problem(0);

        Assert.Equal((BodyShape.SingleEvent, 1), (body.Shape, body.Count));
        Assert.Equal("m\"1", problem!.MessageId);
        Assert.StartsWith("event: is not valid JSON at byte ", Assert.Single(problem.Errors));
    }

    [Fact]
    public void Read_MismatchedBracketInsideAnEvent_OnlyThatEventRejected()
    {
        using var body = SegmentBodies.Parse("""[{"messageId":"m","a":[1}},{"type":"identify","messageId":"n","userId":"u"}]""");

        var problem = body.Problem(0);

        Assert.Equal("m", problem!.MessageId);
        Assert.StartsWith("event: is not valid JSON at byte 23 of the event: ", Assert.Single(problem.Errors));
        Assert.Null(body.Problem(1));
    }

    [Fact]
    public void Read_BatchWithABrokenItem_OnlyThatItemRejectedAndTheOthersMerged()
    {
        const string json = """
            {"batch":[
              {"type":"identify","messageId":"1","userId":"u"},
              {"type":"identify","messageId":"2","userId":"u","userId":"v"},
              7
            ],
            "context":{"device":{"id":"top-device"}}}
            """;
        using var body = SegmentBodies.Parse(json);

        Assert.Equal(BodyShape.Batch, body.Shape);
        Assert.Null(body.Problem(0));
        Assert.Equal("top-device", body.Element(0).GetProperty("context").GetProperty("device").GetProperty("id").GetString());
        var problem = body.Problem(1);
        Assert.Equal("2", problem!.MessageId);
        Assert.Equal("event: property \"userId\" appears twice; which one counts is undefined.", Assert.Single(problem.Errors));
        Assert.Equal(["event: must be a JSON object."], body.Problem(2)!.Errors);
    }

    [Theory]
    [InlineData("""{"batch":[],"batch":[]}""", "The body is not valid JSON: property \"batch\" appears twice at the top level; which one counts is undefined.")]
    [InlineData("""{"batch":[],"context":{"ip":"1","ip":"2"}}""", "The body is not valid JSON: context: property \"ip\" appears twice; which one counts is undefined.")]
    [InlineData("""{"batch":[],"context":{"ip":"\q"}}""", "The body is not valid JSON: context: is not valid JSON at byte 30 of the body: 'q' is an invalid escapable character within a JSON string. The string should be correctly escaped.")]
    [InlineData("""{"batch":[],"integrations":{"A\ud800":true}}""", "The body is not valid JSON: integrations.<a property name>: holds an unpaired UTF-16 surrogate escape (\\uD800–\\uDFFF on its own), which is not valid Unicode text.")]
    [InlineData("""{"batch":[],"sentAt":tru}""", "The body is not valid JSON: sentAt: is not valid JSON at byte 24 of the body: 'tru' is an invalid JSON literal. Expected the literal 'true'.")]
    [InlineData("""{"batch":[{"a":1} {"b":2}]}""", "The body is not valid JSON: batch: expected ',' or ']' after event 0 at byte 18, found '{'.")]
    [InlineData("""{"batch":[] "context":{}}""", "The body is not valid JSON: expected ',' or '}' after a property at byte 12, found '\"'.")]
    public void TryParse_BrokenBatchEnvelope_TheTopLevelCannotBeRead(string json, string expected)
    {
        Assert.False(SegmentBody.TryParse(Encoding.UTF8.GetBytes(json), out var body, out var error));
        Assert.Null(body);
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("""[{"type":"track","event":"A \"q\" [x]","messageId":"m1","userId":"u"},{"type":"identify","messageId":"m2","traits":{"a":[1,{"b":null}]}}]""")]
    [InlineData("""{"type":"track","event":"A \"q\" [x]","messageId":"m1","userId":"u","properties":{"a":[1,{"b":"}"}]}}""")]
    [InlineData("""{"batch":[{"type":"identify","messageId":"m1","userId":"u"}],"context":{"ip":"1.1.1.1"}}""")]
    public void TryParse_TruncatedAtEveryPosition_FailsCleanlyAsMalformed(string json)
    {
        var full = Encoding.UTF8.GetBytes(json);
        Assert.True(SegmentBody.TryParse(full, out var whole, out _));
        whole!.Dispose();

        for (var length = 0; length < full.Length; length++)
        {
            Assert.False(SegmentBody.TryParse(full.AsMemory(0, length), out var body, out var error), $"cut to {length} bytes: parsed");
            Assert.Null(body);
            Assert.StartsWith("The body is not valid JSON: ", error);
        }
    }
    [Theory]
    [InlineData("[1,2,3]", BodyFailure.None, 3)]
    [InlineData("[1,2,3,4]", BodyFailure.TooManyEvents, 0)]
    [InlineData("[1,2,3,4,", BodyFailure.TooManyEvents, 0)] // never read past the cap: what follows is not judged
    [InlineData("{\"batch\":[1,2,3,4]}", BodyFailure.TooManyEvents, 0)]
    [InlineData("{\"batch\":[1,2,3]}", BodyFailure.None, 3)]
    [InlineData("{\"type\":\"track\"}", BodyFailure.None, 1)]
    [InlineData("[1,2,", BodyFailure.Malformed, 0)]
    public void Parse_CapOfThree_RefusesAFourthEventWithoutSplittingFurther(string json, BodyFailure expected, int count)
    {
        var failure = SegmentBody.Parse(Encoding.UTF8.GetBytes(json), 3, out var body, out var error);
        using (body)
        {
            Assert.Equal(expected, failure);
            Assert.Equal(count, body?.Count ?? 0);
            Assert.Equal(expected == BodyFailure.Malformed, error is not null);
        }
    }

    [Theory]
    [InlineData("[{\"a\":1},{\"b\":2}]", "{\"a\":1}")]
    [InlineData("\uFEFF [ {\"a\":[1]} ,", "{\"a\":[1]}")] // the rest need not even be complete
    [InlineData("[]", "")]
    [InlineData("[{\"a\":1", "")]
    [InlineData("{\"a\":1}", "")]
    [InlineData("{\"batch\":[{\"a\":1}]}", "")]
    public void FirstArrayElementOf_AnyBody_TheFirstElementsRawTextOrEmpty(string json, string first) =>
        Assert.Equal(first, Encoding.UTF8.GetString(SegmentBody.FirstArrayElementOf(Encoding.UTF8.GetBytes(json)).Span));
}
