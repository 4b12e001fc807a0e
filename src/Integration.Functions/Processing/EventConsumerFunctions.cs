using System.Globalization;
using System.Text;
using Integration.Core.Events;
using Integration.Core.Processing;
using Integration.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace Integration.Functions.Processing;

/// <summary>
/// One consumer per target subscription of the <c>commerce-events</c> topic, each one line into the shared
/// <see cref="EventConsumer"/>. Returning completes the message: the event ended, or a retry copy is scheduled after its
/// back-off (Service Bus would otherwise redeliver an abandoned message at once). Throwing abandons it: a body that is
/// not an event, or a last attempt that could not be settled, is redelivered until the subscription's max delivery
/// count and then dead-lettered, where it is kept.
/// </summary>
public sealed class EventConsumerFunctions(EventConsumer consumer)
{
    [Function("ErpEventConsumer")]
    public Task Erp(
        [ServiceBusTrigger("%" + TriggerSettings.TopicName + "%", "erp", Connection = "ServiceBusConnection")] string body,
        int deliveryCount, FunctionContext context) => ConsumeAsync(body, EventTargets.Erp, deliveryCount, context);

    [Function("CrmEventConsumer")]
    public Task Crm(
        [ServiceBusTrigger("%" + TriggerSettings.TopicName + "%", "crm", Connection = "ServiceBusConnection")] string body,
        int deliveryCount, FunctionContext context) => ConsumeAsync(body, EventTargets.Crm, deliveryCount, context);

    private async Task ConsumeAsync(string body, string target, int deliveryCount, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = await consumer.ConsumeAsync(Encoding.UTF8.GetBytes(body ?? string.Empty), target, Math.Max(1, deliveryCount),
            context.CancellationToken);
        if (result.Settlement == Settlement.DeadLetter)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The {target} message cannot be processed and goes to the dead-letter queue after the subscription's max delivery count: {result.Problem}"));
        }
    }
}
