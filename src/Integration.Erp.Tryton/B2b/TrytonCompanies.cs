using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.Core.B2b;
using Integration.Erp.Tryton.JsonRpc;

namespace Integration.Erp.Tryton.B2b;

/// <summary>
/// Tryton's company accounts (docs/b2b.md): the parties in the party category <paramref name="category"/> (default
/// <c>B2B</c>; a merchant puts a customer account in it to sell to it in B2B Edition). The party's code is the ERP
/// account; its unnamed e-mail and phone contact mechanisms are the company's; its named e-mail mechanisms are its
/// contacts (the name split into first and last at the first space; a named phone with the same name is theirs);
/// its first address is the legal address. Payment terms (<c>customer_payment_term</c>, module account_invoice) and
/// credit limit (<c>credit_limit_amount</c>, module account_credit_limit) are read when the database has those
/// fields, else left out (never cleared in the store).
/// </summary>
public sealed class TrytonCompanies(TrytonClient client, string category = TrytonCompanies.DefaultCategory, int pageSize = 200) : IErpCompanySource
{
    public const string DefaultCategory = "B2B";
    private const string Model = "party.party";

    public async IAsyncEnumerable<ErpCompany> GetCompaniesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var available = await client.GetFieldNamesAsync(Model, cancellationToken).ConfigureAwait(false);
        var fields = new List<string>
        {
            "id", "code", "name",
            "contact_mechanisms.type", "contact_mechanisms.value", "contact_mechanisms.name",
            "addresses.street", "addresses.city", "addresses.postal_code", "addresses.country.code", "addresses.subdivision.name",
        };
        if (available.Contains("customer_payment_term"))
        {
            fields.Add("customer_payment_term.name");
        }

        if (available.Contains("credit_limit_amount"))
        {
            fields.Add("credit_limit_amount");
        }

        await foreach (var party in client.SearchReadAllAsync(Model, () => [new JsonArray("categories.name", "=", category)], fields, pageSize,
            cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return ToCompany(party);
        }
    }

    internal static ErpCompany ToCompany(JsonElement party)
    {
        var code = Text(party, "code") ?? throw new InvalidOperationException("A Tryton party has no code.");
        var mechanisms = Records(party, "contact_mechanisms.")
            .Select(m => (Type: Text(m, "type") ?? string.Empty, Value: Text(m, "value") ?? string.Empty, Name: Text(m, "name")?.Trim()))
            .Where(m => m.Value.Length > 0).ToList();
        var contacts = mechanisms.Where(m => m.Type == "email" && m.Name is { Length: > 0 })
            .Select(m =>
            {
                var name = m.Name!;
                var space = name.IndexOf(' ', StringComparison.Ordinal);
                var phone = mechanisms.FirstOrDefault(p => p.Type is "phone" or "mobile" && p.Name == name).Value;
                return new CompanyContact(m.Value, space > 0 ? name[..space] : name, space > 0 ? name[(space + 1)..].Trim() : name, string.IsNullOrEmpty(phone) ? null : phone);
            }).ToList();

        CompanyAddress? address = null;
        if (Records(party, "addresses.").FirstOrDefault() is { ValueKind: JsonValueKind.Object } first
            && Nested(first, "country.", "code") is { } country)
        {
            var lines = (Text(first, "street") ?? string.Empty).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            address = new CompanyAddress(lines.FirstOrDefault() ?? string.Empty, lines.Length > 1 ? string.Join(", ", lines[1..]) : null,
                Text(first, "city") ?? string.Empty, Nested(first, "subdivision.", "name"), country, Text(first, "postal_code") is { Length: > 0 } zip ? zip : null);
        }

        var credit = party.TryGetProperty("credit_limit_amount", out _) ? TrytonJson.GetDecimal(party, "credit_limit_amount", Model) : null;

        return new ErpCompany
        {
            Account = code,
            Name = Text(party, "name") ?? code,
            Email = mechanisms.FirstOrDefault(m => m.Type == "email" && string.IsNullOrEmpty(m.Name)).Value is { Length: > 0 } email ? email : null,
            Phone = mechanisms.FirstOrDefault(m => m.Type == "phone" && string.IsNullOrEmpty(m.Name)).Value is { Length: > 0 } phone ? phone : null,
            Address = address,
            PaymentTerms = Nested(party, "customer_payment_term.", "name"),
            CreditLimit = credit,
            Contacts = contacts,
        };
    }

    private static string? Text(JsonElement record, string name) =>
        record.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Nested(JsonElement record, string relation, string name) =>
        record.TryGetProperty(relation, out var value) && value.ValueKind == JsonValueKind.Object ? Text(value, name) : null;

    private static List<JsonElement> Records(JsonElement record, string relation) =>
        record.TryGetProperty(relation, out var value) && value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray()] : [];
}
