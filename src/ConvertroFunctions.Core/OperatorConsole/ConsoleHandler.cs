using System.Collections.Frozen;
using System.Security.Cryptography;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ConvertroFunctions.Core.OperatorConsole;

/// <summary>
/// ConsoleFunction and ConsoleAssetFunction: the operations console, one HTML
/// page and its hand-written script and style, embedded in this assembly (OperatorConsole/Assets).
/// They hold no data: every figure on the page comes from the keyed JSON API, which the page calls
/// with the key in its own <c>?code=</c> (docs/operations.md, "The console"). Only the embedded
/// names are served, from memory; no file system is read, so there is no path to traverse.
/// </summary>
public static class ConsoleHandler
{
    public const string PageName = "console.html";

    /// <summary>The page may load only its own script, style and API: nothing from elsewhere, no inline script.</summary>
    public const string PagePolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const string ResourcePrefix = "console/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, EmbeddedAsset> Assets = Load();

    /// <summary>The names served under <c>/api/console/</c> (the page itself is served at <c>/api/console</c> only).</summary>
    public static IReadOnlyList<string> AssetNames { get; } = [.. Assets.Keys.Where(n => n != PageName).Order(StringComparer.Ordinal)];

    public static IResult Page() => Serve(Assets[PageName]);

    public static IResult Asset(string asset) =>
        asset != PageName && Assets.TryGetValue(asset, out var found)
            ? Serve(found)
            : Problems.Of(StatusCodes.Status404NotFound, "Unknown console asset",
                $"The console has no asset '{asset}'; it serves {string.Join(", ", AssetNames)}. The page itself is GET /api/console.");

    /// <summary>
    /// The asset with headers that keep it plain: revalidated on every load (an ETag makes that a
    /// 304), never sniffed as another type, and for the page its content policy and no Referer
    /// (its URL may carry <c>?code=</c>).
    /// </summary>
    private static WithHeaders Serve(EmbeddedAsset asset) => new(
        TypedResults.Bytes(asset.Content, asset.ContentType, entityTag: asset.ETag),
        headers =>
        {
            headers.CacheControl = "no-cache";
            headers.XContentTypeOptions = "nosniff";
            if (asset.ContentType.StartsWith("text/html", StringComparison.Ordinal))
            {
                headers.ContentSecurityPolicy = PagePolicy;
                headers["Referrer-Policy"] = "no-referrer";
                headers.XFrameOptions = "DENY";
            }
        });

    private static FrozenDictionary<string, EmbeddedAsset> Load()
    {
        var assembly = typeof(ConsoleHandler).Assembly;
        var assets = new Dictionary<string, EmbeddedAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..];
            if (!ContentTypes.TryGetValue(Path.GetExtension(name), out var contentType))
            {
                throw new InvalidOperationException($"Console asset '{name}' has no known content type; add its extension to ConsoleHandler.");
            }
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var tag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 8))}\"");
            assets[name] = new EmbeddedAsset(content, contentType, tag);
        }
        if (!assets.ContainsKey(PageName))
        {
            throw new InvalidOperationException($"The console page '{PageName}' is not embedded in {assembly.GetName().Name}.");
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed record EmbeddedAsset(byte[] Content, string ContentType, EntityTagHeaderValue ETag);
}
