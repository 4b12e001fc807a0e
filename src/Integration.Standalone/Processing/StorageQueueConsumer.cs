using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Integration.Azure.Messaging;
using Integration.Core.Processing;

namespace Integration.Standalone.Processing;

/// <summary>
/// Bound from <c>Standalone:Consumers</c>:
/// <code>{ "Enabled": true, "Concurrency": 8, "VisibilityTimeoutSeconds": 30 }</code>
/// </summary>
public sealed class ConsumerOptions
{
    public const string SectionName = "Standalone:Consumers";

    public bool Enabled { get; set; } = true;

    public int Concurrency { get; set; } = 8;

    /// <summary>
    /// How long a received message stays invisible without renewal. The consumer renews it every third of this while
    /// the event is worked on (as Service Bus renews a lock), so it only bounds how long a crashed consumer's messages
    /// stay away from the others.
    /// </summary>
    public int VisibilityTimeoutSeconds { get; set; } = 30;
}

/// <summary>
/// Consumes one target's Storage queue: the Standalone counterpart of a Service Bus subscription trigger, one call
/// into the shared <see cref="EventConsumer"/> per message. A message stays invisible while it is processed (its
/// visibility renewed every third of <see cref="ConsumerOptions.VisibilityTimeoutSeconds"/>), is deleted
/// once the event ended or a retry copy was scheduled, and goes to the <c>{queue}-poison</c> queue when it is not an
/// event at all or its last attempt could not be settled. If a retry copy could not be scheduled, the message itself
/// becomes visible again after a back-off.
/// </summary>
public sealed partial class StorageQueueConsumer(
    QueueClient queue,
    QueueClient poison,
    string target,
    EventConsumer consumer,
    ProcessingOptions processing,
    ConsumerOptions options,
    ILogger<StorageQueueConsumer> logger) : BackgroundService
{
    private static readonly TimeSpan IdleDelayMax = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        await poison.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        var visibility = TimeSpan.FromSeconds(options.VisibilityTimeoutSeconds);
        using var slots = new SemaphoreSlim(options.Concurrency, options.Concurrency);
        var idle = TimeSpan.FromMilliseconds(50);
        var inFlight = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken);
                var free = 1 + slots.CurrentCount;
                QueueMessage[] messages;
                try
                {
                    messages = (await queue.ReceiveMessagesAsync(Math.Min(32, free), visibility, stoppingToken)).Value;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    slots.Release();
                    LogQueueFailed(logger, ex, queue.Name);
                    await Task.Delay(IdleDelayMax, stoppingToken);
                    continue;
                }

                if (messages.Length == 0)
                {
                    slots.Release();
                    await Task.Delay(idle, stoppingToken);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, IdleDelayMax.Ticks));
                    continue;
                }

                idle = TimeSpan.FromMilliseconds(50);
                for (var i = 0; i < messages.Length; i++)
                {
                    if (i > 0)
                    {
                        await slots.WaitAsync(CancellationToken.None);
                    }

                    var message = messages[i];
                    inFlight.Add(Task.Run(async () =>
                    {
                        try
                        {
                            await HandleAsync(message, stoppingToken);
                        }
                        finally
                        {
                            slots.Release();
                        }
                    }, CancellationToken.None));
                }

                inFlight.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: messages not finished become visible again when their visibility timeout runs out.
        }

        await Task.WhenAll(inFlight);
    }

    /// <summary>Processes one message and settles it (delete, poison, or leave it to come back). Never throws.</summary>
    internal async Task HandleAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        ConsumeResult result;
        string popReceipt;
        await using var hold = new VisibilityHold(queue, message, TimeSpan.FromSeconds(options.VisibilityTimeoutSeconds), logger);
        try
        {
            result = await consumer.ConsumeAsync(message.Body.ToMemory(), target, (int)Math.Min(message.DequeueCount, int.MaxValue), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return; // shutting down: no longer renewed, the message is delivered again when its visibility timeout runs out
        }
        catch (Exception ex)
        {
            popReceipt = await hold.ReleaseAsync();
            // No retry copy could be scheduled (the queue is unreachable): let this message come back after a back-off.
            var backoff = processing.BackoffBefore((int)Math.Min(message.DequeueCount + 1, 30));
            LogRetry(logger, ex, message.MessageId, target, message.DequeueCount, backoff.TotalSeconds);
            try
            {
                await queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: backoff, cancellationToken: CancellationToken.None);
            }
            catch (Exception updateFailure)
            {
                LogQueueFailed(logger, updateFailure, queue.Name); // it comes back when its visibility timeout runs out anyway
            }

            return;
        }

        popReceipt = await hold.ReleaseAsync();
        if (result.Settlement == Settlement.DeadLetter)
        {
            await PoisonAsync(message, popReceipt, result.Problem ?? "unknown", cancellationToken);
            return;
        }

        try
        {
            await queue.DeleteMessageAsync(message.MessageId, popReceipt, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Processed but not deleted: it comes back and the ledger answers "duplicate".
            LogQueueFailed(logger, ex, queue.Name);
        }
    }

    private async Task PoisonAsync(QueueMessage message, string popReceipt, string problem, CancellationToken cancellationToken)
    {
        LogPoisoned(logger, message.MessageId, queue.Name, problem);
        try
        {
            // Kept until a person looks: never expires (a queue's default time-to-live is 7 days).
            await poison.SendMessageAsync(message.Body, timeToLive: StorageQueueEventPublisher.NeverExpires, cancellationToken: cancellationToken);
            await queue.DeleteMessageAsync(message.MessageId, popReceipt, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogQueueFailed(logger, ex, poison.Name);
        }
    }

    /// <summary>
    /// Keeps a received message invisible while it is worked on: renews its visibility every third of the timeout and
    /// holds the pop receipt each renewal returns, which the settlement must use. A renewal already sent is never
    /// cancelled (its new receipt would be lost); only the wait for the next one is.
    /// </summary>
    private sealed class VisibilityHold : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewing;
        private string _popReceipt;
        private bool _stopped;

        public VisibilityHold(QueueClient queue, QueueMessage message, TimeSpan visibility, ILogger logger)
        {
            _popReceipt = message.PopReceipt;
            _renewing = RenewAsync(queue, message.MessageId, visibility, logger);
        }

        /// <summary>Stops renewing; returns the message's current pop receipt.</summary>
        public async Task<string> ReleaseAsync()
        {
            await DisposeAsync();
            return _popReceipt;
        }

        public async ValueTask DisposeAsync()
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            await _stop.CancelAsync();
            await _renewing;
            _stop.Dispose();
        }

        private async Task RenewAsync(QueueClient queue, string messageId, TimeSpan visibility, ILogger logger)
        {
            try
            {
                while (true)
                {
                    await Task.Delay(visibility / 3, _stop.Token);
                    var renewed = await queue.UpdateMessageAsync(messageId, _popReceipt, visibilityTimeout: visibility, cancellationToken: CancellationToken.None);
                    _popReceipt = renewed.Value.PopReceipt;
                }
            }
            catch (OperationCanceledException)
            {
                // Released: the work ended.
            }
            catch (Exception ex)
            {
                // The message may reappear to another consumer while this one works: the ledger absorbs the second delivery.
                LogRenewFailed(logger, ex, messageId, queue.Name);
            }
        }
    }

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message =
        "Message {MessageId} of {Queue} could not be kept invisible; another consumer may receive it while this one works")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string messageId, string queue);

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message =
        "Message {MessageId} for {Target} could not be settled on delivery {DequeueCount}; visible again in {BackoffSeconds} s")]
    private static partial void LogRetry(ILogger logger, Exception exception, string messageId, string target, long dequeueCount, double backoffSeconds);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "Message {MessageId} moved from {Queue} to the poison queue: {Problem}")]
    private static partial void LogPoisoned(ILogger logger, string messageId, string queue, string problem);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Queue {Queue} could not be read or updated")]
    private static partial void LogQueueFailed(ILogger logger, Exception exception, string queue);
}
