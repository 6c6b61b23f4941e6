using ConvertroFunctions.Core.Audit;
using ConvertroFunctions.Core.Http;
using Microsoft.AspNetCore.Http;

namespace ConvertroFunctions.Core.Admin;

/// <summary>ListAuditFunction (docs/api.md, "Audit"): every admin change, newest first, <c>limit</c> at a time with a <c>continuation</c>.</summary>
public sealed class AuditHandler(AuditTrail trail)
{
    public const int DefaultLimit = 100;

    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var limit = AdminRequests.QueryCount(request, "limit", DefaultLimit, AuditTrail.MaxPage, errors, " Page with continuation for more.");
        var continuation = request.Query["continuation"].ToString() is { Length: > 0 } c ? c : null;
        if (limit is null)
        {
            return Problems.Invalid("Bad query.", errors);
        }
        try
        {
            var (items, next) = await trail.PageAsync(limit.Value, continuation, ct);
            return TypedResults.Ok(new { items, continuation = next });
        }
        catch (FormatException)
        {
            return Problems.Invalid("Bad query.", new Dictionary<string, string[]> { ["continuation"] = ["Must be a continuation token from an earlier answer."] });
        }
    }
}
