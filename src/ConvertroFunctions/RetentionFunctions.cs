using ConvertroFunctions.Core.Privacy;
using Microsoft.Azure.Functions.Worker;

namespace ConvertroFunctions;

/// <summary><see cref="RetentionJob"/>'s function: removes dead letters, event records, counters and links past their retention.</summary>
public sealed class RetentionFunctions(RetentionJob job)
{
    [Function("RetentionFunction")]
    public Task Run([TimerTrigger(RetentionJob.Schedule)] TimerInfo timer, FunctionContext context) =>
        job.RunAsync(context.CancellationToken);
}
