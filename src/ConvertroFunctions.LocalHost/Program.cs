using ConvertroFunctions.LocalHost;

// LocalHost: the Functions app's routes and queue processing without Core Tools or an Azure account.
try
{
    await using var host = await LocalHostApp.StartAsync(args);
    await host.WaitForShutdownAsync();
    return 0;
}
catch (LocalHostStartException ex)
{
    Console.Error.WriteLine($"[LocalHost] {ex.Message}");
    return 1;
}
