using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.OperatorConsole;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>
/// GET /api/console: the operations console's page. Anonymous: it holds no data; it calls the
/// keyed JSON API with the key in its own URL (open it as /api/console?code=&lt;key&gt;).
/// </summary>
public sealed class ConsoleFunction
{
    [Function(nameof(ConsoleFunction))]
    public IActionResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Console)] HttpRequest request) =>
        new ResultAction(ConsoleHandler.Page());
}
