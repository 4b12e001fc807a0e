using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Integration.Core.Events;
using Integration.Core.Processing;
using Microsoft.Extensions.Options;

namespace Integration.Standalone.Processing;

/// <summary>
/// Bound from <c>Standalone:Consumers</c>:
/// <code>{ "Enabled": true, "Concurrency": 8, "MaxBackoffSeconds": 300 }</code>
/// </summary>
public sealed class ConsumerOptions
{
    public const string SectionName = "Standalone:Consumers";

    public bool Enabled { get; set; } = true;

    public int Concurrency { get; set; } = 8;

    public int MaxBackoffSeconds { get; set; } = 300;
}

/// <summary>
/// Consumes one target's Storage queue: the Standalone counterpart of a Service Bus subscription trigger. A message
/// stays invisible while it is processed (the processing lease), is deleted once the event ended applied, skipped or
/// quarantined, is made visible again after an exponential backoff on a transient failure, and goes to the
/// <c>{queue}-poison</c> queue when it is not an event at all or its last delivery still failed.
/// </summary>
public sealed partial class StorageQueueConsumer(
    QueueClient queue,
    QueueClient poison,
    string target,
    EventProcessor processor,
    ProcessingOptions processing,
    ConsumerOptions options,
    ILogger<StorageQueueConsumer> logger) : BackgroundService
{
    private static readonly TimeSpan IdleDelayMax = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        await poison.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
        var lease = TimeSpan.FromSeconds(processing.LeaseSeconds);
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
                    messages = (await queue.ReceiveMessagesAsync(Math.Min(32, free), lease, stoppingToken)).Value;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    slots.Release();
                    LogReceiveFailed(logger, ex, queue.Name);
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
            // Stopping: messages not finished become visible again when their lease runs out.
        }

        await Task.WhenAll(inFlight);
    }

    /// <summary>Processes one message and settles it (delete, back off, or poison). Never throws.</summary>
    internal async Task HandleAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        CommerceEvent? commerceEvent;
        try
        {
            commerceEvent = JsonSerializer.Deserialize(message.Body, CommerceEventJsonContext.Default.CommerceEvent);
        }
        catch (JsonException ex)
        {
            await PoisonAsync(message, $"not a CommerceEvent: {ex.Message}", cancellationToken);
            return;
        }

        if (commerceEvent is null)
        {
            await PoisonAsync(message, "the body is JSON null", cancellationToken);
            return;
        }

        var lastAttempt = message.DequeueCount >= processing.MaxDeliveryCount;
        try
        {
            await processor.ProcessAsync(commerceEvent, target, new Delivery((int)message.DequeueCount, lastAttempt), cancellationToken);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the lease expires and the message is delivered again.
        }
        catch (Exception ex) when (!lastAttempt)
        {
            var backoff = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, message.DequeueCount), options.MaxBackoffSeconds));
            LogRetry(logger, ex, commerceEvent.EventId, target, message.DequeueCount, backoff.TotalSeconds);
            try
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: backoff, cancellationToken: CancellationToken.None);
            }
            catch (Exception updateFailure)
            {
                // The message becomes visible when its lease runs out anyway.
                LogReceiveFailed(logger, updateFailure, queue.Name);
            }
        }
        catch (Exception ex)
        {
            // The processor could not even quarantine it (e.g. the state store is down on the last attempt).
            await PoisonAsync(message, ex.Message, cancellationToken);
        }
    }

    private async Task PoisonAsync(QueueMessage message, string problem, CancellationToken cancellationToken)
    {
        LogPoisoned(logger, message.MessageId, queue.Name, problem);
        try
        {
            await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReceiveFailed(logger, ex, poison.Name);
        }
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message =
        "Event {EventId} for {Target} failed on delivery {DequeueCount}; visible again in {BackoffSeconds} s")]
    private static partial void LogRetry(ILogger logger, Exception exception, string eventId, string target, long dequeueCount, double backoffSeconds);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "Message {MessageId} moved from {Queue} to the poison queue: {Problem}")]
    private static partial void LogPoisoned(ILogger logger, string messageId, string queue, string problem);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Queue {Queue} could not be read or updated")]
    private static partial void LogReceiveFailed(ILogger logger, Exception exception, string queue);
}
