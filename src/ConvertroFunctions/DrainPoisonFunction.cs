using Azure.Storage.Queues.Models;
using ConvertroFunctions.Core.Delivery;
using ConvertroFunctions.Core.Storage;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>segment-events-poison → DeadLetters, so operators have one place to look and replay from.</summary>
public sealed class DrainPoisonFunction(PoisonDrain drain)
{
    [Function(nameof(DrainPoisonFunction))]
    public Task Run([QueueTrigger(StorageNames.PoisonQueue)] QueueMessage message, FunctionContext context) =>
        drain.HandleAsync(message.Body, context.CancellationToken);
}
