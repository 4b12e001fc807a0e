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

    /// <summary>
    /// One message per invocation (never set: the consumers take one message). Declared as the official attribute
    /// declares it, <c>[DefaultValue(false)]</c>: the SDK's metadata generator writes <c>"cardinality": "One"</c> for it,
    /// as for the official trigger. Without the <c>DefaultValue</c> the generator throws (a null reference in its
    /// cardinality parser, CS8785); <c>AutoCompleteMessages</c> is left out (the host's <c>autoCompleteMessages</c> applies).
    /// </summary>
    [DefaultValue(false)]
    public bool IsBatched { get; set; }
}
