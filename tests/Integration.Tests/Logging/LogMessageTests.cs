using System.Reflection;
using System.Text.RegularExpressions;
using Integration.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace Integration.Tests.Logging;

/// <summary>
/// What a person watching the log reads: no <c>(null)</c> for an absent value (it reads like a defect; absent is
/// <c>none</c>, <see cref="LogValues"/>) and every time in ISO 8601, the same on every machine (a time's default text is
/// the culture's, <c>12/07/2026 05:26:00 +00:00</c> here). Held for every <c>[LoggerMessage]</c> of the product.
/// </summary>
public sealed partial class LogMessageTests
{
    private static readonly Assembly[] Product = [.. new[]
    {
        "Integration.Core", "Integration.BigCommerce", "Integration.Azure", "Integration.Erp.Tryton", "Integration.Crm.HubSpot",
        "Integration.Hosting", "Integration.Standalone",
    }.Select(Assembly.Load)];

    public static TheoryData<string> Methods() => [.. LoggerMethods().Select(m => Name(m.Method))];

    [Theory]
    [MemberData(nameof(Methods))]
    public void LoggerMessage_TakesNoAbsentValue_AndFormatsEveryTimeAsIso8601(string method)
    {
        var (info, template) = LoggerMethods().Single(m => Name(m.Method) == method);
        var nullability = new NullabilityInfoContext();
        foreach (var parameter in info.GetParameters().Where(p => !typeof(ILogger).IsAssignableFrom(p.ParameterType)
            && p.ParameterType != typeof(LogLevel) && !typeof(Exception).IsAssignableFrom(p.ParameterType)))
        {
            var type = Nullable.GetUnderlyingType(parameter.ParameterType);
            Assert.True(type is null && nullability.Create(parameter).WriteState != NullabilityState.Nullable,
                $"{method}: {parameter.Name} may be null and would print \"(null)\": pass LogValues.OrNone(...)");
            if (parameter.ParameterType == typeof(DateTimeOffset) || parameter.ParameterType == typeof(DateTime))
            {
                Assert.Matches(new Regex(@"\{" + parameter.Name + @":(O|o|u)\}", RegexOptions.IgnoreCase), template);
            }
        }
    }

    [Fact]
    public void LogValues_AnAbsentValueIsNone_ATimeIsRoundTripIso8601()
    {
        Assert.Equal("none", LogValues.OrNone((string?)null));
        Assert.Equal("none", LogValues.OrNone(""));
        Assert.Equal("42", LogValues.OrNone("42"));
        Assert.Equal("none", LogValues.OrNone((DateTimeOffset?)null));
        Assert.Equal("2026-11-30T09:15:00.0000000+00:00", LogValues.OrNone(new DateTimeOffset(2026, 11, 30, 9, 15, 0, TimeSpan.Zero)));
    }

    private static IEnumerable<(MethodInfo Method, string Template)> LoggerMethods() =>
        from assembly in Product
        from type in assembly.GetTypes()
        from method in type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
        let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
        where attribute is not null
        select (method, attribute.Message);

    private static string Name(MethodInfo method) => $"{method.DeclaringType!.FullName}.{method.Name}/{method.GetParameters().Length}";
}
