using System.Globalization;
using ConvertroFunctions.Fakes;

// A Convertro that prints every request it receives and answers 200, unless told to fail:
//   dotnet run --project tests/ConvertroFunctions.FakeConvertro -- [url] [--fail STATUS] [--times N]
//        [--retry-after SECONDS] [--delay SECONDS]
// or, while it runs:
//   curl -X POST http://127.0.0.1:7072/fake/script -H 'Content-Type: application/json' \
//        -d '{"clientName":"Acme Inc","steps":[{"status":503,"times":3,"retryAfterSeconds":5}]}'
//   curl http://127.0.0.1:7072/fake/requests         (DELETE to clear)
var url = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) && Uri.IsWellFormedUriString(a, UriKind.Absolute))
    ?? "http://127.0.0.1:7072";
string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
double? Number(string name) => Option(name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : null;

await using var fake = await FakeConvertro.StartAsync(url, control: true);
if (Number("--fail") is { } status)
{
    fake.ScriptAll([.. FakeControl.Responses([new FakeScriptStep((int)status, (int)(Number("--times") ?? 1),
        Number("--retry-after"), Number("--delay"))])]);
}
fake.OnRequest = r => Console.WriteLine($"{r.At:HH:mm:ss} {r.Status} {r.Method} {r.Target}{(r.Body.Length > 0 ? " " + r.Body : "")}");
Console.WriteLine($"Fake Convertro listening on {fake.BaseUrl} (Ctrl+C to stop). Run LocalHost with Convertro__BaseUrl={fake.BaseUrl}");
await fake.WaitForShutdownAsync();
