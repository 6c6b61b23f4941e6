namespace ConvertroFunctions.Core.Segment;

/// <summary>Why one event of a request was rejected: every problem found, each naming its field.</summary>
public sealed record EventProblem(int Index, string? MessageId, IReadOnlyList<string> Errors);
