using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;

namespace Integration.BigCommerce.Emulator.Api.Shapes;

/// <summary>Customers as customers.v3.yml documents them (<c>customer_Full</c>, <c>address_Full</c>).</summary>
internal static class CustomerShapes
{
    public static JsonObject Customer(Customer c, bool includeAddresses)
    {
        var customer = new JsonObject
        {
            ["id"] = c.Id,
            ["email"] = c.Email,
            ["first_name"] = c.FirstName,
            ["last_name"] = c.LastName,
            ["company"] = c.Company,
            ["phone"] = c.Phone,
            ["registration_ip_address"] = string.Empty,
            ["notes"] = c.Notes,
            ["tax_exempt_category"] = string.Empty,
            ["customer_group_id"] = c.CustomerGroupId,
            ["date_modified"] = Json.V3Date(c.DateModified),
            ["date_created"] = Json.V3Date(c.DateCreated),
            ["address_count"] = c.Addresses?.Count ?? 0,
            ["attribute_count"] = 0,
            ["accepts_product_review_abandoned_cart_emails"] = false,
            ["origin_channel_id"] = 1,
            ["channel_ids"] = new JsonArray(1),
        };
        if (includeAddresses)
        {
            customer["addresses"] = new JsonArray([.. (c.Addresses ?? []).Select(a => (JsonNode)Address(a))]);
        }

        return customer;
    }

    public static JsonObject Address(CustomerAddress a) => new()
    {
        ["id"] = a.Id,
        ["customer_id"] = a.CustomerId,
        ["first_name"] = a.FirstName,
        ["last_name"] = a.LastName,
        ["company"] = a.Company,
        ["address1"] = a.Address1,
        ["address2"] = a.Address2,
        ["city"] = a.City,
        ["state_or_province"] = a.StateOrProvince,
        ["postal_code"] = a.PostalCode,
        ["country"] = a.Country,
        ["country_code"] = a.CountryCode,
        ["phone"] = a.Phone,
        ["address_type"] = a.AddressType,
    };
}
