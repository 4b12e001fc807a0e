using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Integration.Functions.Processing;
using Integration.Testing;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Integration.Tests.Hosting;

/// <summary>
/// The project's own Service Bus trigger stands in for the official worker extension
/// (Microsoft.Azure.Functions.Worker.Extensions.ServiceBus, not served by this project's package feed). These tests hold
/// it to what the official extension would produce, from its source (Azure/azure-functions-dotnet-worker,
/// <c>extensions/Worker.Extensions.ServiceBus/src/ServiceBusTriggerAttribute.cs</c>, and the SDK's metadata generator
/// <c>sdk/Sdk.Generators/FunctionMetadataProviderGenerator/FunctionMetadataProviderGenerator.Parser.cs</c>); see
/// docs/infrastructure.md, "Deployment build".
/// </summary>
public sealed class ServiceBusTriggerDeclarationTests
{
    [Theory]
    [InlineData("ErpEventConsumer", "erp")]
    [InlineData("CrmEventConsumer", "crm")]
    public void FunctionsMetadata_TriggerBinding_IsWhatTheOfficialAttributeWouldGenerate(string function, string subscription)
    {
        // The generator's rules for [ServiceBusTrigger(topic, subscription, Connection = …)] string body:
        // type = the attribute's name without "Attribute", first letter lower case; direction In (a trigger is not an
        // output binding); constructor arguments under their parameter names and set properties under theirs
        // (camel case); dataType from the parameter type (string → String); and, because the attribute has an
        // IsBatched property with [DefaultValue(false)], cardinality One. The SDK adds an empty properties bag.
        var expected = new JsonObject
        {
            ["name"] = "body",
            ["direction"] = "In",
            ["type"] = "serviceBusTrigger",
            ["dataType"] = "String",
            ["topicName"] = "%TransportServiceBusTopicName%",
            ["subscriptionName"] = subscription,
            ["connection"] = "ServiceBusConnection",
            ["cardinality"] = "One",
            ["properties"] = new JsonObject(),
        };

        var binding = Assert.Single(FunctionsMetadata.Load().Single(f => (string?)f!["name"] == function)!["bindings"]!.AsArray())!;

        Assert.Equal(expected.Select(p => p.Key).Order(StringComparer.Ordinal), binding.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.True(JsonNode.DeepEquals(expected, binding), $"functions.metadata has {binding.ToJsonString()}, the official extension would give {expected.ToJsonString()}");
    }

    [Fact]
    public void Attribute_HasTheOfficialAttributesNameBaseConstructorAndProperties()
    {
        var type = typeof(ServiceBusTriggerAttribute);

        // The binding type comes from the class name; the official class is Microsoft.Azure.Functions.Worker.ServiceBusTriggerAttribute.
        Assert.Equal("ServiceBusTriggerAttribute", type.Name);
        Assert.True(type.IsSubclassOf(typeof(TriggerBindingAttribute)));
        var constructor = Assert.Single(type.GetConstructors());
        Assert.Equal(["topicName", "subscriptionName"], constructor.GetParameters().Select(p => p.Name));
        // A subset of the official properties (QueueName, TopicName, SubscriptionName, Connection, IsSessionsEnabled,
        // IsBatched, AutoCompleteMessages), with the same names and types.
        var official = new Dictionary<string, Type>(StringComparer.Ordinal)
        {
            ["QueueName"] = typeof(string), ["TopicName"] = typeof(string), ["SubscriptionName"] = typeof(string), ["Connection"] = typeof(string),
            ["IsSessionsEnabled"] = typeof(bool), ["IsBatched"] = typeof(bool), ["AutoCompleteMessages"] = typeof(bool),
        };
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        {
            Assert.True(official.TryGetValue(property.Name, out var officialType), $"{property.Name} is not a property of the official attribute.");
            Assert.Equal(officialType, Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType);
        }

        var isBatched = type.GetProperty(nameof(ServiceBusTriggerAttribute.IsBatched))!;
        var defaultValue = Assert.Single(isBatched.GetCustomAttributesData(), a => a.AttributeType == typeof(DefaultValueAttribute));
        Assert.Equal(false, Assert.Single(defaultValue.ConstructorArguments).Value);
    }

    [Fact]
    public void ExtensionDeclaration_IsTheOfficialExtensionsWebJobsPackage_OnlyInTheDeployBuild()
    {
        // The official worker extension declares the host extension it needs with
        // [assembly: ExtensionInformation("Microsoft.Azure.WebJobs.Extensions.ServiceBus", "5.16.4")] (Worker.Extensions.ServiceBus
        // 5.22.0, Properties/AssemblyInfo.cs; since commit 9590defba the same attribute is generated from the csproj's
        // WebJobsExtension item, 5.17.0 in 5.24.0). The SDK writes a WorkerExtensions project referencing that package for
        // the host, whose restore needs nuget.org.
        var source = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", "Integration.Functions", "Processing", "ServiceBusExtension.cs"));
        var declaration = Regex.Match(source, @"#if SERVICEBUS_EXTENSION\s+\[assembly: Microsoft\.Azure\.Functions\.Worker\.Extensions\.Abstractions\.ExtensionInformation\(\s*""(?<package>[^""]+)"",\s*""(?<version>[^""]+)""\)\]\s+#endif");
        Assert.True(declaration.Success, source);
        Assert.Equal("Microsoft.Azure.WebJobs.Extensions.ServiceBus", declaration.Groups["package"].Value);
        Assert.Equal("5.16.4", declaration.Groups["version"].Value);
        // The ordinary build has no extension declaration (its restore would fail offline, NU1101).
        Assert.Empty(typeof(ServiceBusTriggerAttribute).Assembly.GetCustomAttributes<ExtensionInformationAttribute>());

        // MSBuild's own evaluation of the Functions project: DeployBuild=true (a property, or the environment variable
        // azd and the CI deploy job set) defines SERVICEBUS_EXTENSION; without it the symbol is not defined.
        Assert.DoesNotContain("SERVICEBUS_EXTENSION", DefineConstants(deployBuild: false).Split(';'));
        Assert.Contains("SERVICEBUS_EXTENSION", DefineConstants(deployBuild: true).Split(';'));
    }

    private static string DefineConstants(bool deployBuild)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (var argument in new[] { "msbuild", Path.Combine("src", "Integration.Functions", "Integration.Functions.csproj"), "-getProperty:DefineConstants", "-p:Configuration=Release", "-nologo" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("DeployBuild");
        if (deployBuild)
        {
            start.Environment["DeployBuild"] = "true";
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"dotnet msbuild -getProperty failed ({process.ExitCode}): {output}\n{error}");
        return output.Trim();
    }
}
