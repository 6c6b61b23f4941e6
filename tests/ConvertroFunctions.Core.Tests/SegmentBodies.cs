using System.Text;
using System.Text.Json;
using ConvertroFunctions.Core.Segment;

namespace ConvertroFunctions.Core.Tests;

/// <summary>Parsing bodies and reading their events in tests, each event's document disposed after use as ingest does.</summary>
internal static class SegmentBodies
{
    public static SegmentBody Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    public static SegmentBody Parse(byte[] utf8)
    {
        Assert.True(SegmentBody.TryParse(utf8, out var body, out var error), error);
        return body!;
    }

    /// <summary>What the validator says about event <paramref name="index"/>: null when ingest would accept it.</summary>
    public static EventProblem? Problem(this SegmentBody body, int index) => body.With(index, e => SegmentEventValidator.Validate(e));

    /// <summary>Event <paramref name="index"/>'s raw text, as it would be queued.</summary>
    public static string Text(this SegmentBody body, int index) => body.With(index, e => Encoding.UTF8.GetString(e.Utf8.Span));

    public static List<string> Texts(this SegmentBody body) => [.. Enumerable.Range(0, body.Count).Select(body.Text)];

    /// <summary>Event <paramref name="index"/>'s parsed element, copied so it outlives the event's document.</summary>
    public static JsonElement Element(this SegmentBody body, int index) => body.With(index, e => e.Element.Clone());

    public static T With<T>(this SegmentBody body, int index, Func<RawEvent, T> read)
    {
        using var e = body.Read(index);
        return read(e.Event);
    }
}
