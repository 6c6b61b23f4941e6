using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace ConvertroFunctions.Core.Segment;

/// <summary>
/// Segment's X-Signature: the lower-case hex HMAC-SHA1 of what it sent, keyed with the shared
/// secret. For a batch (a JSON array) Segment signs only the raw text of the first element, so
/// either digest is accepted. Comparison is constant-time.
/// </summary>
public static class SegmentSignature
{
    public const string HeaderName = "X-Signature";

    private const int DigestBytes = 20;

    public static bool IsValid(string secret, string? header, ReadOnlySpan<byte> body, ReadOnlySpan<byte> firstArrayElement)
    {
        Span<byte> claimed = stackalloc byte[DigestBytes];
        if (!TryDecodeHex(header, claimed))
        {
            return false;
        }

        var key = Encoding.UTF8.GetBytes(secret);
        Span<byte> actual = stackalloc byte[DigestBytes];
        HMACSHA1.HashData(key, body, actual);
        var matches = CryptographicOperations.FixedTimeEquals(claimed, actual);
        if (!firstArrayElement.IsEmpty)
        {
            HMACSHA1.HashData(key, firstArrayElement, actual);
            matches |= CryptographicOperations.FixedTimeEquals(claimed, actual);
        }
        return matches;
    }

    /// <summary>The header value Segment would send for <paramref name="signed"/>.</summary>
    public static string Compute(string secret, ReadOnlySpan<byte> signed) =>
        Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), signed));

    private static bool TryDecodeHex(string? header, Span<byte> destination)
    {
        var hex = header.AsSpan().Trim();
        return hex.Length == DigestBytes * 2
            && Convert.FromHexString(hex, destination, out _, out var written) == OperationStatus.Done
            && written == DigestBytes;
    }
}
