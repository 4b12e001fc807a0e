using System.Globalization;
using Integration.BigCommerce.Client;

namespace Integration.BigCommerce.Emulator.Api.Shapes;

/// <summary>How BigCommerce writes values: v2 money as 4-decimal strings and dates as RFC 2822, v3 dates as ISO 8601.</summary>
internal static class Json
{
    public static string Money(decimal value) => value.ToString("F4", CultureInfo.InvariantCulture);

    public static string V2Date(DateTimeOffset? value) => value is { } v ? Rfc2822DateConverter.Print(v) : string.Empty;

    public static string V3Date(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);
}
