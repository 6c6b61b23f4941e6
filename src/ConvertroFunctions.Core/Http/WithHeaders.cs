using Microsoft.AspNetCore.Http;

namespace ConvertroFunctions.Core.Http;

/// <summary>Another result with response headers set before it runs.</summary>
internal sealed class WithHeaders(IResult inner, Action<IHeaderDictionary> set) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        set(httpContext.Response.Headers);
        return inner.ExecuteAsync(httpContext);
    }
}
