using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace ConvertroFunctions;

/// <summary>
/// Core's handlers answer with ASP.NET Core <see cref="IResult"/>s (LocalHost serves them as is);
/// functions return them as <see cref="IActionResult"/>, the result type the worker's ASP.NET Core
/// integration documents, executing the very same result on the real HttpContext.
/// </summary>
internal sealed class ResultAction(IResult result) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
}

internal static class ResultActionExtensions
{
    public static async Task<IActionResult> AsActionResult(this Task<IResult> result) => new ResultAction(await result);
}
