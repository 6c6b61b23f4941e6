using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ConvertroFunctions.Core.Convertro;

/// <summary>
/// An HTTP request to Convertro exactly as it goes on the wire: the method, the full URL with its
/// query, and the query parameters in order (for the preview's readable table).
/// </summary>
/// <param name="Path">The path without the query: the only part of a request that may be logged (the query carries personal data).</param>
/// <param name="Body">An erase's JSON body (its <c>x-api-key</c> header is added when it is sent, never shown); null for tracking calls.</param>
public sealed record ConvertroRequest(
    HttpMethod Method, string Url, string Path, IReadOnlyList<KeyValuePair<string, string>> Parameters, string? Body = null)
{
    public Uri Uri { get; } = new(Url);

    /// <summary>The header Convertro's GDPR API reads the workspace's key from.</summary>
    public const string ApiKeyHeader = "x-api-key";
}

/// <summary>
/// The one place that knows Convertro's tracking API (docs/mapping.md, "The wire"): GET "pixel"
/// requests with short query parameters, as Convertro's own browser tag sends them.
/// <code>
/// events:   GET {base}/api/hit/{clientName}/{siteId}/?sid&amp;did&amp;typ&amp;val&amp;eid&amp;ts&amp;cip&amp;cua&amp;pag&amp;ref
/// users:    GET {base}/api/user/{clientName}/{siteId}/?sid&amp;did&amp;id&amp;ts&amp;cip&amp;cua&amp;pag&amp;ref
/// installs: GET {base}/{installsPath}/{clientName}/{siteId}/?sid&amp;did&amp;typ=install&amp;val=1&amp;eid&amp;ts&amp;…
/// </code>
/// Parameters come in that order, each only when it has a value; path segments and values are
/// percent-encoded as UTF-8 (RFC 3986, unreserved characters kept). No body, no account name.
/// </summary>
public static class ConvertroWire
{
    /// <summary>No public source shows Convertro's installs path: a documented, configurable choice.</summary>
    public const string DefaultInstallsPath = "api/install";

    /// <summary>Convertro's visitor-code alphabet: no 0, 1, I, L or O (codes holding 0 or 1 mean something else to the tag).</summary>
    public const string SidAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    public const int SidLength = 12;

    /// <summary><c>Convertro:BaseUrl</c> when configured (the sandbox, tests, a proxy), else https://{domain}.</summary>
    public static Uri BaseUri(Uri? configuredBaseUrl, string domain) =>
        configuredBaseUrl ?? new Uri("https://" + domain);

    /// <summary>
    /// An ERASE request to Convertro's GDPR API (docs/mapping.md, "Erase"):
    /// <c>POST {GdprApiUrl}</c> with <c>{"client_id","request_id","request_type":"ERASE","sid_client_domain","sid_cvo_domain"}</c>.
    /// </summary>
    public static ConvertroRequest BuildErase(ConvertroCall call, Uri gdprApiUrl)
    {
        var body = JsonSerializer.Serialize(new EraseBody(call.ClientName, call.EventId!, "ERASE", call.Sid!, call.Sid!), WireJsonContext.Default.EraseBody);
        return new ConvertroRequest(HttpMethod.Post, gdprApiUrl.AbsoluteUri, gdprApiUrl.AbsolutePath, [], body);
    }

    public static string PathOf(ConvertroEndpoint endpoint, string installsPath = DefaultInstallsPath) => endpoint switch
    {
        ConvertroEndpoint.Events => "api/hit",
        ConvertroEndpoint.Users => "api/user",
        ConvertroEndpoint.Installs => installsPath,
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, null),
    };

    public static ConvertroRequest Build(ConvertroCall call, Uri baseUri, string installsPath = DefaultInstallsPath)
    {
        var parameters = Parameters(call);
        var path = new StringBuilder(baseUri.AbsolutePath.TrimEnd('/'))
            .Append('/').Append(PathOf(call.Endpoint, installsPath))
            .Append('/').Append(Uri.EscapeDataString(call.ClientName))
            .Append('/').Append(Uri.EscapeDataString(call.SiteId))
            .Append('/').ToString();
        var url = new StringBuilder(baseUri.GetLeftPart(UriPartial.Authority)).Append(path);
        for (var i = 0; i < parameters.Count; i++)
        {
            url.Append(i == 0 ? '?' : '&').Append(parameters[i].Key).Append('=').Append(Uri.EscapeDataString(parameters[i].Value));
        }
        return new ConvertroRequest(HttpMethod.Get, url.ToString(), path, parameters);
    }

    /// <summary>The query parameters of a call, in the contract's order, each only when it has a value.</summary>
    public static List<KeyValuePair<string, string>> Parameters(ConvertroCall call)
    {
        var list = new List<KeyValuePair<string, string>>(11);
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                list.Add(new(name, value));
            }
        }
        Add("sid", Sid(call.DeviceId));
        Add("did", call.DeviceId);
        switch (call.Endpoint)
        {
            case ConvertroEndpoint.Events:
                Add("typ", call.EventType);
                Add("val", FormatValue(call.Value ?? 1m));
                Add("eid", call.EventId);
                break;
            case ConvertroEndpoint.Installs:
                Add("typ", "install");
                Add("val", "1");
                Add("eid", call.EventId);
                break;
            case ConvertroEndpoint.Users:
                Add("id", call.UserId is null ? null : WireUserId(call.UserId));
                break;
        }
        Add("ts", call.Timestamp.ToString(CultureInfo.InvariantCulture));
        Add("cip", call.Visit?.Ip);
        Add("cua", call.Visit?.UserAgent);
        Add("pag", call.Visit?.PageUrl);
        Add("ref", call.Visit?.Referrer);
        return list;
    }

    /// <summary>
    /// Convertro's visitor code for a device: the first 8 bytes of SHA-256 of the device id (UTF-8)
    /// as a big-endian unsigned integer, shifted right by 5 (59 bits), in base 31 over
    /// <see cref="SidAlphabet"/>, most significant digit first, left-padded with '2' to 12 characters.
    /// "dev-1" → "2BR4BY8S68SD". A raw device id is never a safe sid: it may hold 0 or 1.
    /// </summary>
    public static string Sid(string deviceId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var utf8 = Encoding.UTF8.GetBytes(deviceId);
        SHA256.HashData(utf8, hash);
        var n = BinaryPrimitives.ReadUInt64BigEndian(hash) >> 5;
        return string.Create(SidLength, n, static (chars, value) =>
        {
            for (var i = chars.Length - 1; i >= 0; i--)
            {
                chars[i] = SidAlphabet[(int)(value % 31)];
                value /= 31;
            }
        });
    }

    /// <summary>
    /// The user id as Convertro's own tag sends it: an id with '@' after its first character (an
    /// email) is never sent, it becomes "hashed-" + djb2, so server-side and browser ids agree.
    /// </summary>
    public static string WireUserId(string userId) =>
        userId.Length > 1 && userId.IndexOf('@', 1) > 0
            ? "hashed-" + Djb2(userId).ToString(CultureInfo.InvariantCulture)
            : userId;

    /// <summary>djb2 as the tag computes it: h = 5381; for each UTF-16 code unit c, h = (33·h + c) mod 2³².</summary>
    public static uint Djb2(string text)
    {
        var hash = 5381u;
        foreach (var c in text)
        {
            hash = unchecked(hash * 33 + c);
        }
        return hash;
    }

    /// <summary>Invariant culture, no exponent, no trailing zeros: 50.99, 12.5, 1000, 0.</summary>
    public static string FormatValue(decimal value) =>
        value == 0m ? "0" : value.ToString("0.############################", CultureInfo.InvariantCulture);
}

/// <summary>The GDPR API's request body, field names as Convertro's reference shows them.</summary>
internal sealed record EraseBody(
    [property: JsonPropertyName("client_id")] string ClientId,
    [property: JsonPropertyName("request_id")] string RequestId,
    [property: JsonPropertyName("request_type")] string RequestType,
    [property: JsonPropertyName("sid_client_domain")] string SidClientDomain,
    [property: JsonPropertyName("sid_cvo_domain")] string SidCvoDomain);

[JsonSerializable(typeof(EraseBody))]
internal sealed partial class WireJsonContext : JsonSerializerContext;
