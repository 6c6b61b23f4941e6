using Azure.Storage.Queues.Models;
using ConvertroFunctions.Core.Delivery;
using ConvertroFunctions.Core.Storage;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>
/// <see cref="DeliveryHandler"/>'s function: segment-events → Convertro. Throwing lets the host
/// retry the message (host.json maxDequeueCount) and then move it to segment-events-poison.
/// </summary>
public sealed class DeliveryFunctions(DeliveryHandler handler)
{
    [Function("DeliverFunction")]
    public Task Deliver([QueueTrigger(StorageNames.EventsQueue)] QueueMessage message, FunctionContext context) =>
        handler.HandleAsync(message.Body, context.CancellationToken);
}

/// <summary><see cref="PoisonDrain"/>'s function: segment-events-poison → DeadLetters, so operators have one place to look and replay from.</summary>
public sealed class PoisonDrainFunctions(PoisonDrain drain)
{
    [Function("DrainPoisonFunction")]
    public Task Drain([QueueTrigger(StorageNames.PoisonQueue)] QueueMessage message, FunctionContext context) =>
        drain.HandleAsync(message.Body, context.CancellationToken);
}
