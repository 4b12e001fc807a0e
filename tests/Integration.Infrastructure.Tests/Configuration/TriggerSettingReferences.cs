using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Integration.Infrastructure.Tests.Configuration;

/// <summary>The app settings the Functions app's triggers and bindings name (<c>%name%</c>), read from its attributes.</summary>
internal static partial class TriggerSettingReferences
{
    public static IReadOnlyList<(string Function, string Setting)> FromFunctionsAssembly() =>
        typeof(Integration.Functions.Webhooks.WebhookFunction).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>()?.Name))
            .Where(m => m.Function is not null)
            .SelectMany(m => m.Method.GetParameters().SelectMany(p => p.GetCustomAttributes<BindingAttribute>())
                .SelectMany(a => a.GetType().GetProperties().Where(p => p.PropertyType == typeof(string)).Select(p => p.GetValue(a) as string))
                .Where(v => v is not null)
                .SelectMany(v => Reference().Matches(v!))
                .Select(match => (m.Function!, match.Groups[1].Value)))
            .ToList();

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex Reference();
}
