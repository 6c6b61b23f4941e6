using ConvertroFunctions.LocalHost;

// LocalHost: the Functions app's routes and queue processing without Core Tools or an Azure account.
try
{
    await using var host = await LocalHostApp.StartAsync(args);
    await host.WaitForShutdownAsync();
    return Environment.ExitCode; // 1 when LocalHost stopped because its Azurite could not be started again

}
catch (LocalHostStartException ex)
{
    Console.Error.WriteLine($"[LocalHost] {ex.Message}");
    return 1;
}
