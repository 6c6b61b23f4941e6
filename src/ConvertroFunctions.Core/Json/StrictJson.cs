using System.Text.Json;

namespace ConvertroFunctions.Core.Json;

/// <summary>
/// The one way request bodies and events are parsed (ingest, preview and admin): UTF-8 only,
/// duplicate property names refused (which one counts is undefined, RFC 8259 §4), at most
/// <see cref="MaxDepth"/> levels, each failure with a message that says what is wrong and where.
/// </summary>
public static class StrictJson
{
    /// <summary>System.Text.Json's default, kept explicit: no Segment event nests anywhere near it.</summary>
    public const int MaxDepth = 64;

    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false, MaxDepth = MaxDepth };

    /// <summary>The document must be disposed; the input must stay unchanged while it lives.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> utf8, out JsonDocument? document, out string? error) =>
        TryParse(utf8, JsonSource.Body, out document, out error);

    /// <inheritdoc cref="TryParse(ReadOnlyMemory{byte}, out JsonDocument?, out string?)"/>
    /// <param name="source">What the text is, for the error (an event, the body, a member of it).</param>
    internal static bool TryParse(ReadOnlyMemory<byte> utf8, JsonSource source, out JsonDocument? document, out string? error)
    {
        document = null;
        var invalid = UnicodeCheck.FirstInvalidUtf8(utf8.Span);
        if (invalid >= 0)
        {
            error = $"{source.Name}: is not valid UTF-8 (JSON must be): byte {source.Start + invalid} of {source.Whole} " +
                $"(0x{utf8.Span[invalid]:X2}) does not start a valid character.";
            return false;
        }
        try
        {
            document = JsonDocument.Parse(utf8, Options);
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: checking names for duplicates unescapes them, and a name
            // with an unpaired surrogate escape cannot be. The explanation finds out which it was.
            error = StrictJsonProblem.Explain(utf8, source, ex, Options);
            return false;
        }
    }
}
