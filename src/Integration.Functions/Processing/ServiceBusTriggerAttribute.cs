using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Integration.Functions.Processing;

/// <summary>
/// The Service Bus trigger, declared by the project: the official worker extension package is not served by the
/// package feed this project builds from, so this attribute carries the same binding name and properties and the
/// Functions SDK writes the same <c>serviceBusTrigger</c> binding into <c>functions.metadata</c>. The host-side
/// extension is declared only in the deploy build (see <c>ServiceBusExtension.cs</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class ServiceBusTriggerAttribute : TriggerBindingAttribute
{
    public ServiceBusTriggerAttribute(string topicName, string subscriptionName)
    {
        TopicName = topicName;
        SubscriptionName = subscriptionName;
    }

    /// <summary>The topic (an app setting reference such as <c>%ServiceBusTopic%</c> is allowed).</summary>
    public string TopicName { get; private set; }

    public string SubscriptionName { get; private set; }

    /// <summary>The app setting prefix of the connection (identity-based: <c>{Connection}__fullyQualifiedNamespace</c>).</summary>
    public string? Connection { get; set; }

    // Deliberately no IsBatched/AutoCompleteMessages: one message per invocation and the host's auto-complete default
    // are what the consumers need, and those bool properties make the SDK's metadata source generator throw (NRE).
}
