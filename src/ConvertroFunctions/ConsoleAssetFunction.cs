using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.OperatorConsole;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>GET /api/console/{asset}: the console's own script and style, by name only. Anonymous: they hold no data.</summary>
public sealed class ConsoleAssetFunction
{
    [Function(nameof(ConsoleAssetFunction))]
    public IActionResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.ConsoleAsset)] HttpRequest request,
        string asset) =>
        new ResultAction(ConsoleHandler.Asset(asset));
}
