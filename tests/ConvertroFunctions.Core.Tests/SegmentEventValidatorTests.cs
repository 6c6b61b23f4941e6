using System.Text;
using ConvertroFunctions.Core.Segment;

namespace ConvertroFunctions.Core.Tests;

public sealed class SegmentEventValidatorTests
{
    private static EventProblem? Validate(string json)
    {
        using var body = SegmentBodies.Parse(json);
        return body.Problem(0);
    }

    [Theory]
    [InlineData("""{"type":"track","event":"A","messageId":"m","userId":"u","timestamp":"2026-03-01T10:00:00.000Z"}""")]
    [InlineData("""{"type":"identify","messageId":"m","anonymousId":"a"}""")]
    [InlineData("""{"type":"page","messageId":"m","userId":42}""")]
    [InlineData("""{"type":"delete","messageId":"m"}""")]
    [InlineData("""{"type":"alias","messageId":"m","userId":"u","previousId":"p","timestamp":"2026-03-01T12:00:00+02:00"}""")]
    public void Validate_ValidEvent_ReturnsNull(string json)
    {
        Assert.Null(Validate(json));
    }

    [Theory]
    [InlineData("""{"messageId":"m","userId":"u"}""", "type: is required")]
    [InlineData("""{"type":"Track","messageId":"m","userId":"u"}""", "type: must be one of identify, track, page, screen, group, alias, delete, got \"Track\"")]
    [InlineData("""{"type":7,"messageId":"m","userId":"u"}""", "type: must be one of")]
    [InlineData("""{"type":"identify","userId":"u"}""", "messageId: is required.")]
    [InlineData("""{"type":"identify","messageId":"","userId":"u"}""", "messageId: must not be empty.")]
    [InlineData("""{"type":"identify","messageId":17,"userId":"u"}""", "messageId: must be a string, got 17.")]
    [InlineData("""{"type":"identify","messageId":"m"}""", "userId/anonymousId: one of them is required")]
    [InlineData("""{"type":"identify","messageId":"m","userId":"  ","anonymousId":null}""", "userId/anonymousId: one of them is required")]
    [InlineData("""{"type":"track","messageId":"m","userId":"u"}""", "event: is required for a track call.")]
    [InlineData("""{"type":"track","event":"","messageId":"m","userId":"u"}""", "event: must be a non-empty string.")]
    [InlineData("""{"type":"track","event":"A","messageId":"m","userId":"u","timestamp":"yesterday"}""", "timestamp: must be an ISO-8601 date-time, got \"yesterday\".")]
    [InlineData("""{"type":"track","event":"A","messageId":"m","userId":"u","timestamp":1700000000}""", "timestamp: must be an ISO-8601 date-time, got 1700000000.")]
    public void Validate_BrokenRule_NamesTheFieldAndProblem(string json, string expected)
    {
        var problem = Validate(json);

        Assert.NotNull(problem);
        Assert.Contains(problem.Errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_MessageIdLength_100AcceptedAnd101Rejected()
    {
        Assert.Null(Validate($$"""{"type":"identify","messageId":"{{new string('m', 100)}}","userId":"u"}"""));

        var problem = Validate($$"""{"type":"identify","messageId":"{{new string('m', 101)}}","userId":"u"}""");
        Assert.Equal(["messageId: must be at most 100 characters, got 101."], problem!.Errors);
    }

    [Fact]
    public void Validate_EventOver32KiB_Rejected()
    {
        var padding = new string('x', SegmentEventValidator.MaxEventBytes);
        var problem = Validate($$$"""{"type":"identify","messageId":"m","userId":"u","traits":{"p":"{{{padding}}}"}}""");

        Assert.NotNull(problem);
        Assert.Matches(@"^event: is \d+ bytes; the limit is 32768 bytes \(32 KiB\) per event\.$", Assert.Single(problem.Errors));
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsAllWithIndexAndMessageId()
    {
        using var body = SegmentBodies.Parse(
            """[{"type":"identify","messageId":"ok","userId":"u"},{"type":"track","messageId":"bad-1","timestamp":"x"}]""");

        var problem = body.Problem(1);

        Assert.NotNull(problem);
        Assert.Equal(1, problem.Index);
        Assert.Equal("bad-1", problem.MessageId);
        Assert.Equal(3, problem.Errors.Count);
    }

    [Fact]
    public void Validate_NonObjectEvent_Rejected()
    {
        using var body = SegmentBodies.Parse("[\"oops\"]");

        Assert.Equal(["event: must be a JSON object."], body.Problem(0)!.Errors);
    }
}
