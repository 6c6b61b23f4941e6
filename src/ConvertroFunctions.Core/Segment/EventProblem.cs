namespace ConvertroFunctions.Core.Segment;

/// <summary>Why one event of a request was rejected: every problem found, each naming its field.</summary>
public sealed record EventProblem(int Index, string? MessageId, IReadOnlyList<string> Errors)
{
    /// <summary>
    /// How many rejections one answer lists (the first ones, by index); <c>rejectedCount</c> gives
    /// them all, so an answer stays small however bad the body (docs/api.md, "Limits").
    /// </summary>
    public const int MaxListed = 100;
}
