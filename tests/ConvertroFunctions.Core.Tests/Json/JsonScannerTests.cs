using System.Text;
using ConvertroFunctions.Core.Json;

namespace ConvertroFunctions.Core.Tests.Json;

/// <summary>
/// The one string walker: where a value ends, and which escapes it shows, whatever the strings hold
/// (escaped quotes and backslashes, brackets, control characters, surrogate escapes).
/// </summary>
public sealed class JsonScannerTests
{
    /// <summary>Records where each escape's backslash is; never stops.</summary>
    private struct Recorder : IEscapeVisitor
    {
        public List<int> At;

        public readonly bool Stop(ReadOnlySpan<byte> text, int backslash)
        {
            At.Add(backslash);
            return false;
        }
    }

    private static List<int> Escapes(string json)
    {
        var recorder = new Recorder { At = [] };
        Assert.False(JsonScanner.AnyEscape(Encoding.UTF8.GetBytes(json), ref recorder));
        return recorder.At;
    }

    [Theory]
    [InlineData("""{"a":"x\"}"}""", 12)]
    [InlineData("""{"a":"x\\"}""", 11)]
    [InlineData("""{"a":"]}[{"}""", 12)]
    [InlineData("""["a\u005d",1]""", 13)]
    [InlineData("\"tab\tand\u0001\"", 10)]
    [InlineData("{\"a\":\"line\nbreak\"}", 18)]
    [InlineData("""{"a":"x\"}""", JsonScanner.Truncated)]
    [InlineData("""{"a":[1,2}}""", 11)]
    public void SkipValue_StringsHoldWhateverTheyHold_TheValueEndsAtItsOwnBracketOrQuote(string json, int end)
    {
        Assert.Equal(end, JsonScanner.SkipValue(Encoding.UTF8.GetBytes(json), 0, out _));
    }

    [Fact]
    public void AnyEscape_ShowsEachEscapeInNamesAndValues_NotTheEscapedBackslash()
    {
        Assert.Equal([2, 8, 18], Escapes("""{"\n":"a\\b","c":"\u00e9"}"""));
        Assert.Equal([2, 4], Escapes("""["\\\"",1]"""));
        Assert.Equal([1], Escapes("\"\\q\u0001\""));
        Assert.Empty(Escapes("""{"a":"no escape","b":[1,{"c":null}]}"""));
        Assert.Empty(Escapes("true"));
    }

    [Theory]
    [InlineData("""{"a":"\ud83d\ude00"}""", false)]
    [InlineData("""{"a":"\uD83D\uDE00 and \u00e9"}""", false)]
    [InlineData("""{"a":"\\ud800"}""", false)]
    [InlineData("""{"a":"x\ud800"}""", true)]
    [InlineData("""{"a":"x\ude00"}""", true)]
    [InlineData("""{"a":"\ud800\ud800"}""", true)]
    [InlineData("""{"a":"\ud800x"}""", true)]
    [InlineData("""{"\uDFFF":1}""", true)]
    [InlineData("""["ok","\ud83d\ude00\ude00"]""", true)]
    [InlineData("\"\\ud800\"", true)]
    public void HasUnpairedSurrogateEscape_PairsPass_AHalfOnItsOwnIsFound(string json, bool unpaired)
    {
        Assert.Equal(unpaired, UnicodeCheck.HasUnpairedSurrogateEscape(Encoding.UTF8.GetBytes(json)));
    }
}
