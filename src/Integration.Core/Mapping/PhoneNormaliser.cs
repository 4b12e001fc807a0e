using PhoneNumbers;

namespace Integration.Core.Mapping;

/// <summary>
/// Phone numbers → E.164 (<c>+14155550100</c>) with libphonenumber, using the address's country for national
/// numbers. A number libphonenumber cannot read is kept as typed (trimmed): BigCommerce does not validate phones,
/// and an order must not be quarantined over one. Pure and idempotent.
/// </summary>
public static class PhoneNormaliser
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <param name="phone">The number as typed.</param>
    /// <param name="countryCode">ISO 3166-1 alpha-2 of the address, when known (needed for national numbers).</param>
    /// <returns>E.164 when the number is valid for its region; otherwise the trimmed input; null for a blank input.</returns>
    public static string? Normalise(string? phone, string? countryCode)
    {
        if (string.IsNullOrWhiteSpace(phone))
        {
            return null;
        }

        var trimmed = phone.Trim();
        try
        {
            var number = Util.Parse(trimmed, countryCode ?? "ZZ");
            if (Util.IsValidNumber(number))
            {
                return Util.Format(number, PhoneNumberFormat.E164);
            }
        }
        catch (NumberParseException)
        {
            // Not a phone number libphonenumber can read (e.g. "n/a", or national without a country): keep it.
        }

        return trimmed;
    }
}
