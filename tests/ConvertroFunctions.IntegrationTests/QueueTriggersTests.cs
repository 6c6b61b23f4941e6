using System.Reflection;
using ConvertroFunctions.Core.Http;
using ConvertroFunctions.LocalHost.Queues;
using Microsoft.Azure.WebJobs;

namespace ConvertroFunctions.IntegrationTests;

/// <summary>LocalHost's WebJobs queue functions are the function table's, by name and queue.</summary>
public sealed class QueueTriggersTests
{
    [Fact]
    public void QueueTriggers_EveryMethod_IsATableQueueFunctionWithItsQueue()
    {
        var indexed = typeof(QueueTriggers).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.GetCustomAttribute<FunctionNameAttribute>() is not null)
            .Select(m => (Function: m.GetCustomAttribute<FunctionNameAttribute>()!.Name,
                Queue: m.GetParameters().Select(p => p.GetCustomAttribute<QueueTriggerAttribute>()).Single(a => a is not null)!.QueueName))
            .OrderBy(f => f.Function, StringComparer.Ordinal)
            .ToList();

        var table = AppFunctions.QueueFunctions.Select(f => (f.Function, f.Queue)).OrderBy(f => f.Function, StringComparer.Ordinal).ToList();

        Assert.NotEmpty(table);
        Assert.Equal(table, indexed);
    }
}
