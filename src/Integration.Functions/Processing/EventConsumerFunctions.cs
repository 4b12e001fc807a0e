using System.Globalization;
using System.Text.Json;
using Integration.Core.Events;
using Integration.Core.Processing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Integration.Functions.Processing;

/// <summary>
/// One consumer per target subscription of the <c>commerce-events</c> topic. Completing the message (returning) means
/// the event ended applied, skipped or quarantined; throwing abandons it and Service Bus redelivers it, then
/// dead-letters it after the subscription's max delivery count (the processor quarantines on that last attempt).
/// </summary>
public sealed partial class EventConsumerFunctions(EventProcessor processor, IOptions<ProcessingOptions> options, ILogger<EventConsumerFunctions> logger)
{
    [Function("ErpEventConsumer")]
    public Task Erp(
        [ServiceBusTrigger("%Transport:ServiceBus:TopicName%", "erp", Connection = "ServiceBusConnection")] string body,
        FunctionContext context) => ConsumeAsync(body, EventTargets.Erp, context);

    [Function("CrmEventConsumer")]
    public Task Crm(
        [ServiceBusTrigger("%Transport:ServiceBus:TopicName%", "crm", Connection = "ServiceBusConnection")] string body,
        FunctionContext context) => ConsumeAsync(body, EventTargets.Crm, context);

    private async Task ConsumeAsync(string body, string target, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var deliveryCount = DeliveryCount(context.BindingContext.BindingData);
        CommerceEvent? commerceEvent;
        try
        {
            commerceEvent = JsonSerializer.Deserialize(body, CommerceEventJsonContext.Default.CommerceEvent);
        }
        catch (JsonException ex)
        {
            // Not an event at all: nothing can process it, retrying cannot help. Throwing on every delivery sends it to
            // the dead-letter queue, where it is kept (not lost) for inspection.
            LogMalformed(logger, target, ex.Message);
            throw new InvalidOperationException($"The {target} message is not a CommerceEvent: {ex.Message}", ex);
        }

        if (commerceEvent is null)
        {
            throw new InvalidOperationException($"The {target} message body is JSON null.");
        }

        var delivery = new Delivery(deliveryCount, deliveryCount >= options.Value.MaxDeliveryCount);
        await processor.ProcessAsync(commerceEvent, target, delivery, context.CancellationToken);
    }

    private static int DeliveryCount(IReadOnlyDictionary<string, object?> bindingData) =>
        bindingData.TryGetValue("DeliveryCount", out var value) && value is not null
            && int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count)
            ? count
            : 1;

    [LoggerMessage(EventId = 3000, Level = LogLevel.Error, Message = "A {Target} message is not a valid event and goes to the dead-letter queue: {Problem}")]
    private static partial void LogMalformed(ILogger logger, string target, string problem);
}
