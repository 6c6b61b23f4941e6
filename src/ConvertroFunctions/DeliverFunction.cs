using Azure.Storage.Queues.Models;
using ConvertroFunctions.Core.Delivery;
using ConvertroFunctions.Core.Storage;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>
/// segment-events → Convertro. Throwing lets the host retry the message (host.json
/// maxDequeueCount) and then move it to segment-events-poison.
/// </summary>
public sealed class DeliverFunction(DeliveryHandler handler)
{
    [Function(nameof(DeliverFunction))]
    public Task Run([QueueTrigger(StorageNames.EventsQueue)] QueueMessage message, FunctionContext context) =>
        handler.HandleAsync(message.Body, context.CancellationToken);
}
