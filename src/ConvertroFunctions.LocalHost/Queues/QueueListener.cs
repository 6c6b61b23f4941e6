using System.Text;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using ConvertroFunctions.Core.Storage;
using Microsoft.Extensions.Options;

namespace ConvertroFunctions.LocalHost.Queues;

/// <summary>
/// A queue trigger with the Functions host's semantics: fetch up to batchSize messages, run them
/// concurrently, fetch more when in-flight drops to newBatchThreshold, back off up to
/// maxPollingInterval when idle. Success deletes the message; an exception makes it visible again
/// after visibilityTimeout, and once it has been dequeued maxDequeueCount times it is copied to
/// <c>{queue}-poison</c> and deleted, except from a queue that is itself a <c>-poison</c> queue (the
/// host never re-poisons those). Messages are decoded per messageEncoding, as the host does.
/// </summary>
public sealed partial class QueueListener(
    string queueName,
    Func<BinaryData, CancellationToken, Task> handler,
    StorageClients storage,
    IOptions<QueueHostOptions> hostOptions,
    ILogger<QueueListener> logger) : BackgroundService
{
    private static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);

    private readonly QueueHostOptions _options = hostOptions.Value;
    private readonly QueueClient _queue = storage.CreateQueueClient(queueName, QueueMessageEncoding.None);
    private readonly QueueClient _poison = storage.CreateQueueClient(queueName + "-poison", QueueMessageEncoding.None);
    private readonly SemaphoreSlim _completed = new(0);
    private readonly HashSet<Task> _inFlight = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await PollAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: not a failure.
        }
    }

    private async Task PollAsync(CancellationToken stoppingToken)
    {
        var idleDelay = MinPollingInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (InFlightCount() > _options.EffectiveNewBatchThreshold)
            {
                await _completed.WaitAsync(stoppingToken);
                continue;
            }
            QueueMessage[] messages;
            try
            {
                messages = await StorageErrors.WithQueueAsync(
                    _queue, async () => (await _queue.ReceiveMessagesAsync(_options.BatchSize, _options.MessageLease, stoppingToken)).Value, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogPollFailed(logger, ex, queueName);
                messages = [];
            }
            if (messages.Length == 0)
            {
                await Task.Delay(idleDelay, stoppingToken);
                idleDelay = TimeSpan.FromTicks(Math.Min(idleDelay.Ticks * 2, _options.MaxPollingInterval.Ticks));
                continue;
            }
            idleDelay = MinPollingInterval;
            foreach (var message in messages)
            {
                Track(ProcessAsync(message, stoppingToken));
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Task[] running;
        lock (_inFlight)
        {
            running = [.. _inFlight];
        }
        await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>
    /// The Functions host never moves a message of a queue whose name already ends in -poison: a
    /// failing message there is retried until it expires. Its function must catch its own failures.
    /// </summary>
    private bool IsPoisonQueue => queueName.EndsWith("-poison", StringComparison.Ordinal);

    private async Task ProcessAsync(QueueMessage message, CancellationToken stoppingToken)
    {
        var lease = new MessageLease(_queue, message, _options.MessageLease);
        try
        {
            var decoded = TryDecode(message, out var body);
            if (!IsPoisonQueue && (message.DequeueCount > _options.MaxDequeueCount || !decoded))
            {
                await MoveToPoisonAsync(lease, stoppingToken);
                return;
            }
            if (!decoded)
            {
                // Undecodable on the poison queue: left there and tried again later, as the host does (docs/operations.md).
                LogUndecodable(logger, queueName, message.MessageId);
                await ReleaseAsync(lease, TimeSpan.FromTicks(Math.Max(_options.VisibilityTimeout.Ticks, TimeSpan.FromMinutes(1).Ticks)));
                return;
            }
            // The handler sees the stop and hands its work back; the lease is renewed until it has.
            await lease.RunAsync(() => handler(body, stoppingToken));
            await _queue.DeleteMessageAsync(message.MessageId, lease.PopReceipt, CancellationToken.None);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogFailed(logger, ex, queueName, message.MessageId, message.DequeueCount);
            await ReleaseOrPoisonAsync(lease, message.DequeueCount);
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped before the handler could hand the message back: make it visible again at once.
            await ReleaseAsync(lease, TimeSpan.Zero);
        }
    }

    private async Task ReleaseOrPoisonAsync(MessageLease lease, long dequeueCount)
    {
        if (IsPoisonQueue || dequeueCount < _options.MaxDequeueCount)
        {
            await ReleaseAsync(lease, _options.VisibilityTimeout);
            return;
        }
        try
        {
            await MoveToPoisonAsync(lease, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The lease will run out and the message reappear: nothing is lost.
            LogFailed(logger, ex, queueName, lease.Message.MessageId, dequeueCount);
        }
    }

    private async Task ReleaseAsync(MessageLease lease, TimeSpan visibility)
    {
        try
        {
            await _queue.UpdateMessageAsync(lease.Message.MessageId, lease.PopReceipt, visibilityTimeout: visibility);
        }
        catch (Exception ex)
        {
            // The lease will run out and the message reappear: nothing is lost.
            LogReleaseFailed(logger, ex, queueName, lease.Message.MessageId);
        }
    }

    private async Task MoveToPoisonAsync(MessageLease lease, CancellationToken ct)
    {
        LogPoisoned(logger, queueName, lease.Message.MessageId, lease.Message.DequeueCount);
        await StorageErrors.WithQueueAsync(_poison, async () => await _poison.SendMessageAsync(lease.Message.MessageText, ct), ct);
        await _queue.DeleteMessageAsync(lease.Message.MessageId, lease.PopReceipt, ct);
    }

    private bool TryDecode(QueueMessage message, out BinaryData body)
    {
        if (!_options.Base64)
        {
            body = message.Body;
            return true;
        }
        var text = message.MessageText;
        var buffer = new byte[text.Length * 3 / 4 + 3];
        if (Convert.TryFromBase64String(text, buffer, out var written))
        {
            body = new BinaryData(buffer.AsMemory(0, written));
            return true;
        }
        body = BinaryData.Empty;
        return false;
    }

    private void Track(Task task)
    {
        lock (_inFlight)
        {
            _inFlight.Add(task);
        }
        task.ContinueWith(t =>
        {
            lock (_inFlight)
            {
                _inFlight.Remove(t);
            }
            _completed.Release();
        }, TaskScheduler.Default);
    }

    private int InFlightCount()
    {
        lock (_inFlight)
        {
            return _inFlight.Count;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling queue {Queue} failed; will try again")]
    private static partial void LogPollFailed(ILogger logger, Exception exception, string queue);

    [LoggerMessage(Level = LogLevel.Error, Message = "Processing message {MessageId} from {Queue} failed (dequeue count {DequeueCount})")]
    private static partial void LogFailed(ILogger logger, Exception exception, string queue, string messageId, long dequeueCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not make message {MessageId} of {Queue} visible again; it reappears when its lease runs out")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string queue, string messageId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} of {Queue} is not valid base64; left on the queue, tried again in a minute (the host cannot decode it either)")]
    private static partial void LogUndecodable(ILogger logger, string queue, string messageId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Moving message {MessageId} from {Queue} to its poison queue (dequeue count {DequeueCount})")]
    private static partial void LogPoisoned(ILogger logger, string queue, string messageId, long dequeueCount);
}
