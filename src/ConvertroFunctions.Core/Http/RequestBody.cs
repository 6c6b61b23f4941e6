using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace ConvertroFunctions.Core.Http;

/// <summary>
/// A request body read once into pooled memory, never past its limit: the same bytes serve the
/// signature check, parsing and enqueueing. Dispose to return the buffer.
/// </summary>
public sealed class RequestBody : IDisposable
{
    private const int FirstChunk = 64 * 1024;

    private byte[]? _buffer;

    private RequestBody(byte[]? buffer, int length, bool tooLarge)
    {
        _buffer = buffer;
        Length = length;
        TooLarge = tooLarge;
    }

    public bool TooLarge { get; }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }
        var type = media.MediaType.Value ?? string.Empty;
        var json = type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
        var charset = media.Charset.Value;
        return json && (charset is null || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// For a state-changing request that may come without a body (a <c>curl -X DELETE</c>): 415 when
    /// it names a Content-Type other than JSON, or sends a body without one. A cross-site form always
    /// sends one of its own types, so no form can reach such a route (docs/api.md, "Errors").
    /// </summary>
    public static IResult? RefuseNonJson(HttpRequest request) =>
        request.ContentType is { } type ? (IsJson(type) ? null : Problems.UnsupportedMediaType(type))
        : HasBody(request) ? Problems.UnsupportedMediaType(null)
        : null;

    /// <summary>Whether the request says it carries a body (a length over 0, or chunks).</summary>
    public static bool HasBody(HttpRequest request) =>
        request.ContentLength is > 0 || request.Headers.ContainsKey("Transfer-Encoding");

    /// <summary>
    /// The checks every JSON endpoint makes, in the contract's order: 415 when the body is not
    /// JSON, 413 when it is over <paramref name="limit"/>; otherwise the body, to dispose.
    /// </summary>
    public static async Task<(RequestBody? Body, IResult? Error)> ReadJsonAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (!IsJson(request.ContentType))
        {
            return (null, Problems.UnsupportedMediaType(request.ContentType));
        }
        var body = await ReadAsync(request, limit, ct);
        if (body.TooLarge)
        {
            body.Dispose();
            return (null, Problems.TooLarge(limit));
        }
        return (body, null);
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; one byte more and the body is <see cref="TooLarge"/>.</summary>
    private static async Task<RequestBody> ReadAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return new RequestBody(null, 0, tooLarge: true);
        }
        // The server enforces the limit too: past it, it stops reading and closes the connection
        // instead of draining an oversized body after we have answered 413.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
        {
            sizeLimit.MaxRequestBodySize = limit;
        }
        var capacity = (int)Math.Min(request.ContentLength ?? FirstChunk, limit) + 1;
        var buffer = ArrayPool<byte>.Shared.Rent(capacity);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, limit + 1) - length), ct);
                if (read == 0)
                {
                    return new RequestBody(buffer, length, tooLarge: false);
                }
                length += read;
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return new RequestBody(null, 0, tooLarge: true);
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return new RequestBody(null, 0, tooLarge: true);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
