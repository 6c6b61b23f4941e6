using Azure.Storage.Queues.Models;
using ConvertroFunctions.Core.Http;
using ConvertroFunctions.Core.Storage;
using Microsoft.Azure.WebJobs;

namespace ConvertroFunctions.LocalHost.Queues;

/// <summary>
/// The Functions app's queue functions as the WebJobs SDK indexes them in LocalHost: the same
/// function names (so <c>AzureWebJobs.{name}.Disabled</c> pauses one, read by the SDK itself, as in
/// Azure) and queues, each calling the Core handler the function table names. The listener that
/// feeds them is the Storage Queues extension the Functions host runs (docs/architecture.md, "Two
/// hosts"); QueueTriggersTests checks these against the table.
/// </summary>
public sealed class QueueTriggers(IServiceProvider services)
{
    private readonly Func<BinaryData, CancellationToken, Task> _deliver = Handler(services, nameof(DeliverFunction));
    private readonly Func<BinaryData, CancellationToken, Task> _drainPoison = Handler(services, nameof(DrainPoisonFunction));

    [FunctionName(nameof(DeliverFunction))]
    public Task DeliverFunction([QueueTrigger(StorageNames.EventsQueue)] QueueMessage message, CancellationToken ct) =>
        _deliver(message.Body, ct);

    [FunctionName(nameof(DrainPoisonFunction))]
    public Task DrainPoisonFunction([QueueTrigger(StorageNames.PoisonQueue)] QueueMessage message, CancellationToken ct) =>
        _drainPoison(message.Body, ct);

    private static Func<BinaryData, CancellationToken, Task> Handler(IServiceProvider services, string function) =>
        AppFunctions.QueueFunctions.Single(f => f.Function == function).Handler(services);
}
