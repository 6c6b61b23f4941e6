using ConvertroFunctions.Core.Privacy;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary>Every day at 03:17 UTC: removes dead letters, event records, counters and links past their retention.</summary>
public sealed class RetentionFunction(RetentionJob job)
{
    [Function(nameof(RetentionFunction))]
    public Task Run([TimerTrigger(RetentionJob.Schedule)] TimerInfo timer, FunctionContext context) =>
        job.RunAsync(context.CancellationToken);
}
