using ConvertroFunctions.Fakes;

// Prints every request it receives and answers 200, like a Convertro that accepts everything.
var url = args.Length > 0 ? args[0] : "http://127.0.0.1:7072";
await using var fake = await FakeConvertro.StartAsync(url);
fake.OnRequest = request => Console.WriteLine($"{request.At:HH:mm:ss} {request.Method} {request.Path} {request.Body}");
Console.WriteLine($"Fake Convertro listening on {fake.BaseUrl} (Ctrl+C to stop). Run LocalHost with Convertro__BaseUrl={fake.BaseUrl}");
await fake.WaitForShutdownAsync();
