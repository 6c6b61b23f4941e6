using System.Text.Json;

namespace ConvertroFunctions.Core.Segment;

/// <summary>
/// The one way request bodies are parsed (ingest, preview and admin): UTF-8 only, duplicate
/// property names refused (which one counts is undefined, RFC 8259 §4), each failure with a message
/// that says what is wrong and where.
/// </summary>
public static class StrictJson
{
    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false };

    /// <summary>The document must be disposed; the input must stay unchanged while it lives.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> utf8, out JsonDocument? document, out string? error)
    {
        document = null;
        error = UnicodeCheck.InvalidUtf8(utf8.Span);
        if (error is not null)
        {
            return false;
        }
        try
        {
            document = JsonDocument.Parse(utf8, Options);
            return true;
        }
        catch (JsonException ex)
        {
            error = $"The body is not valid JSON: {ex.Message}";
        }
        catch (InvalidOperationException)
        {
            // Checking names for duplicates unescapes them; one with an unpaired surrogate escape cannot be.
            error = "The body is not valid JSON: a property name holds an unpaired UTF-16 surrogate escape (\\uD800–\\uDFFF on its own).";
        }
        return false;
    }
}
