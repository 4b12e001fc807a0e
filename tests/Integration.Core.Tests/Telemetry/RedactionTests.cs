using Integration.Core.Telemetry;

namespace Integration.Core.Tests.Telemetry;

/// <summary>
/// The redaction rules on the texts Tryton and HubSpot put in their errors (trytond's ir/message.xml and party
/// module templates, HubSpot's messages): values out, what the operator acts on (field, model, ids, codes) in.
/// </summary>
public sealed class RedactionTests
{
    [Theory]
    // trytond ir.msg_forbidden_char_validation_record: the value goes, the field and the model stay.
    [InlineData("The value \"Jane\tDoe\" for field \"Name\" in \"Party\" contains some invalid chars \"'\\t'\".",
        "The value «redacted» for field \"Name\" in \"Party\" contains some invalid chars «redacted».")]
    // party msg_invalid_phone_number: the phone and the party's name.
    [InlineData("The phone number \"+1 217 555 0100\" for party \"Jane Doe\" is not valid.",
        "The phone number «redacted» for party «redacted» is not valid.")]
    // An e-mail and a phone outside quotes (HubSpot's "Email address … is invalid").
    [InlineData("Email address jane.doe@example.org is invalid; call +44 20 7946 0958", "Email address «redacted» is invalid; call «redacted»")]
    // Ids (bare digit runs), models, code identifiers and access messages stay.
    [InlineData("Contact already exists. Existing ID: 51234567890", "Contact already exists. Existing ID: 51234567890")]
    [InlineData("You are not allowed to access \"sale.sale\".", "You are not allowed to access \"sale.sale\".")]
    [InlineData("'NoneType' object has no attribute 'id'", "'NoneType' object has no attribute «redacted»")]
    [InlineData("invalid literal for int() with base 10: 'Jane'", "invalid literal for int() with base 10: «redacted»")]
    // Record ids stay, quoted or not; an apostrophe is no quote.
    [InlineData("You are trying to read records \"12, 13\" of \"Party\" that don't exist anymore.",
        "You are trying to read records \"12, 13\" of \"Party\" that don't exist anymore.")]
    public void Redact_ValuesGo_NamesIdsAndCodesStay(string text, string expected) =>
        Assert.Equal(expected, Redaction.Redact(text));

    [Fact]
    public void Redact_NothingToRedact_IsTheSameText_AndNullIsEmpty()
    {
        Assert.Equal("Tryton refused the write.", Redaction.Redact("Tryton refused the write."));
        Assert.Equal(string.Empty, Redaction.Redact(null));
    }
}
