using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.OperatorConsole;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>
/// <see cref="ConsoleHandler"/>'s functions: the operations console's page and its own script and
/// style. Anonymous: they hold no data; the page calls the keyed JSON API with the key in its own
/// URL (open it as /api/console?code=&lt;key&gt;).
/// </summary>
public sealed class ConsoleFunctions
{
    [Function("ConsoleFunction")]
    public IActionResult Page(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Console)] HttpRequest request) =>
        new ResultAction(ConsoleHandler.Page());

    [Function("ConsoleAssetFunction")]
    public IActionResult Asset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.ConsoleAsset)] HttpRequest request,
        string asset) =>
        new ResultAction(ConsoleHandler.Asset(asset));
}
