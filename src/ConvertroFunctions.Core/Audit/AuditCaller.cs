using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace ConvertroFunctions.Core.Audit;

/// <summary>
/// Which key made an admin change, as far as the host lets a worker know (docs/operations.md,
/// "Security"). The Functions host checks the key and, with ASP.NET Core integration, forwards the
/// HTTP request to the isolated worker without the claims that name the key (the in-process model
/// had them), so the worker sees only the key itself: it records a fingerprint of it,
/// <c>sha256:</c> and the first 8 hex digits of its SHA-256, which names the key to whoever holds the
/// keys (<c>printf %s "$key" | sha256sum | cut -c1-8</c>) and reveals nothing of it. LocalHost checks
/// no keys and records <c>local</c>.
/// </summary>
public class AuditCaller
{
    public const string FunctionsKeyHeader = "x-functions-key";
    public const string CodeParameter = "code";
    public const string NoKey = "none";

    /// <summary>The caller of a change a Segment <c>delete</c> event made (a user purged), which came through ingest.</summary>
    public const string SegmentDelete = "segment";

    public virtual string Of(HttpRequest request)
    {
        var key = request.Headers[FunctionsKeyHeader].ToString() is { Length: > 0 } header ? header : request.Query[CodeParameter].ToString();
        return key.Length == 0 ? NoKey : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..8];
    }
}
