using ConvertroFunctions.LocalHost;

// LocalHost: the Functions app's routes and queue processing without Core Tools or an Azure account.
await using var host = await LocalHostApp.StartAsync(args);
await host.WaitForShutdownAsync();
