namespace ConvertroFunctions.Core.Json;

/// <summary>
/// The members of one object, each as the raw spans of its name (with quotes) and its value, found
/// with <see cref="JsonScanner"/>: names are neither decoded nor checked for duplicates, values are
/// skipped, not parsed. Used where a body or event must be read before (or without) a strict parse:
/// to tell a batch from a single event, and to find a rejected event's messageId.
/// </summary>
internal ref struct MemberReader
{
    private readonly ReadOnlySpan<byte> _text;
    private int _at;
    private bool _first = true;

    /// <param name="open">The index of the object's <c>{</c> in <paramref name="text"/>.</param>
    public MemberReader(ReadOnlySpan<byte> text, int open)
    {
        _text = text;
        _at = open + 1;
    }

    /// <summary>Once every member has been read: the index just after the object's <c>}</c>.</summary>
    public int End { get; private set; } = -1;

    /// <summary>Why the object could not be read member by member (what was expected, and where), or null.</summary>
    public string? Error { get; private set; }

    public bool TryNext(out Range name, out Range value)
    {
        name = value = default;
        if (Error is not null || End >= 0)
        {
            return false;
        }
        var at = JsonScanner.SkipWhitespace(_text, _at);
        if (at < _text.Length && _text[at] == '}')
        {
            End = at + 1;
            return false;
        }
        if (!_first)
        {
            if (at == _text.Length || _text[at] != ',')
            {
                return Fail(at, "',' or '}' after a property");
            }
            at = JsonScanner.SkipWhitespace(_text, at + 1);
        }
        _first = false;
        if (at == _text.Length || _text[at] != '"')
        {
            return Fail(at, "a property name");
        }
        var nameEnd = JsonScanner.SkipString(_text, at);
        if (nameEnd == JsonScanner.Truncated)
        {
            return Fail(_text.Length, "the end of a property name");
        }
        name = at..nameEnd;
        at = JsonScanner.SkipWhitespace(_text, nameEnd);
        if (at == _text.Length || _text[at] != ':')
        {
            return Fail(at, "':' after a property name");
        }
        at = JsonScanner.SkipWhitespace(_text, at + 1);
        var valueEnd = at == _text.Length ? JsonScanner.Truncated : JsonScanner.SkipValue(_text, at, out _);
        if (valueEnd == JsonScanner.Truncated)
        {
            return Fail(_text.Length, "the end of a property value");
        }
        if (valueEnd == at)
        {
            return Fail(at, "a property value");
        }
        value = at..valueEnd;
        _at = valueEnd;
        return true;
    }

    private bool Fail(int at, string expected)
    {
        Error = JsonScanner.Expected(_text, at, expected);
        return false;
    }
}
