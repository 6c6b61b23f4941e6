using System.Text;
using System.Text.Json.Nodes;
using ConvertroFunctions.Core.Segment;

namespace ConvertroFunctions.Core.Tests;

/// <summary>
/// Vectors computed outside .NET (Python: hmac.new(secret.encode(), raw.encode('utf-8'),
/// hashlib.sha1).hexdigest()) over raw texts holding non-ASCII text, escapes (\u00e9, \", \/, \n)
/// and numbers (1.0, 1e3, 1.50, -0.0) that any re-serialization would change.
/// </summary>
public sealed class SegmentSignatureTests
{
    private const string Secret = "s3cr3t-ü";

    private const string Single = """{"type":"track","event":"Café \u00e9 \"q\"","messageId":"m-1","userId":"ü","timestamp":"2026-03-01T10:00:00Z","properties":{"price":1.0,"qty":1e3,"note":"line\nbreak"},"context":{"device":{"id":"d-1"}}}""";
    private const string SingleDigest = "93c33b4bf214ea1cf933aa9b885aac6b35f30576";

    private const string First = """{"type":"track","event":"Ordér ✓","messageId":"m-2","anonymousId":"a\/b","properties":{"total":1.50,"n":-0.0,"big":12345678901234567890}}""";
    private const string Second = """{"type":"identify","messageId":"m-3","userId":"u-3"}""";
    private const string FirstDigest = "7e46f8802c349105ca8aee29f2fe02e5a8cc11db";
    private const string ArrayDigest = "e65cd8bac55aece14ca8f3f3026860c7bbd8cf08";

    private static readonly byte[] ArrayBody = Encoding.UTF8.GetBytes("[" + First + "," + Second + "]");

    [Fact]
    public void Vectors_AreSensitiveToReserialization_RawDiffersFromSystemTextJsonOutput()
    {
        Assert.NotEqual(Single, JsonNode.Parse(Single)!.ToJsonString());
        Assert.NotEqual(First, JsonNode.Parse(First)!.ToJsonString());
    }

    [Fact]
    public void Compute_RawSingleEvent_MatchesIndependentVector()
    {
        Assert.Equal(SingleDigest, SegmentSignature.Compute(Secret, Encoding.UTF8.GetBytes(Single)));
    }

    [Fact]
    public void IsValid_SingleEventSignedOverRawBody_Accepts()
    {
        Assert.True(SegmentSignature.IsValid(Secret, SingleDigest, Encoding.UTF8.GetBytes(Single), default));
    }

    [Fact]
    public void IsValid_BatchSignedOverFirstElementRawText_Accepts()
    {
        Assert.True(SegmentBody.TryParse(ArrayBody, out var body, out _));
        using (body)
        {
            Assert.Equal(First, Encoding.UTF8.GetString(body!.FirstArrayElement.Span));
            Assert.True(SegmentSignature.IsValid(Secret, FirstDigest, ArrayBody, body.FirstArrayElement.Span));
        }
    }

    [Fact]
    public void IsValid_BatchSignedOverWholeBody_Accepts()
    {
        Assert.True(SegmentBody.TryParse(ArrayBody, out var body, out _));
        using (body)
        {
            Assert.True(SegmentSignature.IsValid(Secret, ArrayDigest, ArrayBody, body!.FirstArrayElement.Span));
        }
    }

    [Fact]
    public void IsValid_UpperCaseHexAndSurroundingSpaces_Accepts()
    {
        Assert.True(SegmentSignature.IsValid(Secret, $" {SingleDigest.ToUpperInvariant()} ", Encoding.UTF8.GetBytes(Single), default));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-hex-not-hex-not-hex-not-hex-not-hex!")]
    [InlineData("93c33b4bf214ea1cf933aa9b885aac6b35f305")]
    [InlineData("93c33b4bf214ea1cf933aa9b885aac6b35f3057600")]
    [InlineData("93c33b4bf214ea1cf933aa9b885aac6b35f30577")]
    public void IsValid_MissingMalformedOrWrongHeader_Rejects(string? header)
    {
        Assert.False(SegmentSignature.IsValid(Secret, header, Encoding.UTF8.GetBytes(Single), default));
    }

    [Fact]
    public void IsValid_WrongSecret_Rejects()
    {
        Assert.False(SegmentSignature.IsValid("other", SingleDigest, Encoding.UTF8.GetBytes(Single), default));
    }

    [Fact]
    public void IsValid_SignatureOfReserializedBody_Rejects()
    {
        var reserialized = JsonNode.Parse(Single)!.ToJsonString();
        var header = SegmentSignature.Compute(Secret, Encoding.UTF8.GetBytes(reserialized));

        Assert.False(SegmentSignature.IsValid(Secret, header, Encoding.UTF8.GetBytes(Single), default));
    }

    [Fact]
    public void IsValid_SignatureOfSecondElement_Rejects()
    {
        var header = SegmentSignature.Compute(Secret, Encoding.UTF8.GetBytes(Second));
        Assert.True(SegmentBody.TryParse(ArrayBody, out var body, out _));
        using (body)
        {
            Assert.False(SegmentSignature.IsValid(Secret, header, ArrayBody, body!.FirstArrayElement.Span));
        }
    }
}
