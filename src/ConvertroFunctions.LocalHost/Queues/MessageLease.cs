using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace ConvertroFunctions.LocalHost.Queues;

/// <summary>
/// A received message's lease: renewed at half-time while its function runs, as the Functions host
/// does, so long deliveries are not picked up twice.
/// </summary>
internal sealed class MessageLease(QueueClient queue, QueueMessage message, TimeSpan lease)
{
    public QueueMessage Message { get; } = message;

    public string PopReceipt { get; private set; } = message.PopReceipt;

    /// <summary>
    /// Runs <paramref name="work"/> while renewing, until it returns (also while the host stops:
    /// the work is handing the message back); renewal has stopped when this returns.
    /// </summary>
    public async Task RunAsync(Func<Task> work)
    {
        using var cts = new CancellationTokenSource();
        var renewal = RenewAsync(cts.Token);
        try
        {
            await work();
        }
        finally
        {
            await cts.CancelAsync();
            await renewal;
        }
    }

    private async Task RenewAsync(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(lease / 2, ct);
                var receipt = await queue.UpdateMessageAsync(Message.MessageId, PopReceipt, visibilityTimeout: lease, cancellationToken: ct);
                PopReceipt = receipt.Value.PopReceipt;
            }
        }
        catch (OperationCanceledException)
        {
            // The function finished.
        }
        catch (Exception)
        {
            // Could not renew: the message may be processed again after the lease ends (at-least-once).
        }
    }
}
