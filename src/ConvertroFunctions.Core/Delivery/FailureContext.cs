using ConvertroFunctions.Core.Queueing;

namespace ConvertroFunctions.Core.Delivery;

/// <summary>One event being delivered: where it came from and which of its calls already succeeded.</summary>
public sealed record FailureContext(
    QueueEnvelope Envelope, RawJson Raw, EventSummary Summary, IReadOnlyList<string> Delivered);
