using System.Text.Json;

namespace ConvertroFunctions.Core.Segment;

/// <summary>
/// One Segment event exactly as it was received: its original UTF-8 JSON text (never
/// re-serialized) and the parsed element over that same text.
/// </summary>
/// <param name="Index">Position of the event in the request body (0 for a single event).</param>
/// <param name="Utf8">The event's raw JSON bytes.</param>
/// <param name="Element">
/// The parsed event; valid until the <see cref="ParsedEvent"/> that holds it is disposed (that frees
/// its document). Undefined when <paramref name="Unreadable"/> is set.
/// </param>
/// <param name="Unreadable">
/// Why the event's text failed the strict parse (or was too large to try), when it did: the event is
/// rejected with this problem, and the rest of the body is not.
/// </param>
public readonly record struct RawEvent(int Index, ReadOnlyMemory<byte> Utf8, JsonElement Element, EventProblem? Unreadable = null);
