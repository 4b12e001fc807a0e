using System.Collections.Frozen;
using Integration.Core.Model;

namespace Integration.Core.Mapping;

/// <summary>What a canonical field holds; decides which transforms apply to it.</summary>
internal enum FieldKind
{
    Text,
    Sku,
    Email,
    Phone,
    Country,
    Subdivision,
    Money,
    Number,
    Boolean,
    Timestamp,

    /// <summary>An <see cref="OrderStatus"/>: written through the target's status table.</summary>
    Status,

    /// <summary>A canonical location code: written through the location map.</summary>
    Location,

    /// <summary>One nested record, written with its own object's fields and owners.</summary>
    Record,

    /// <summary>A list of nested records.</summary>
    Records,
}

internal sealed record FieldDefinition(string Name, FieldKind Kind, Func<object, object?> Get, string? Child = null);

internal sealed record ObjectDefinition(int Index, string Name, Func<object, string?> Key, FieldDefinition[] Fields)
{
    public FrozenDictionary<string, FieldDefinition> ByName { get; } = Fields.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);
}

/// <summary>
/// The canonical objects and fields a mapping file may name, with how to read each from the model in
/// <see cref="Model"/>. Adding a field to the model and here makes it mappable.
/// </summary>
internal static class FieldCatalog
{
    public const int Product = 0, Variant = 1, Inventory = 2, Customer = 3, Address = 4, Company = 5, Order = 6, OrderLine = 7;

    public static ObjectDefinition[] Objects { get; } =
    [
        new(Product, "product", o => ((Product)o).Sku,
        [
            new("sku", FieldKind.Sku, o => ((Product)o).Sku),
            new("name", FieldKind.Text, o => ((Product)o).Name),
            new("description", FieldKind.Text, o => ((Product)o).Description),
            new("price", FieldKind.Money, o => ((Product)o).Price),
            new("currency", FieldKind.Text, o => ((Product)o).Currency),
            new("salable", FieldKind.Boolean, o => ((Product)o).Salable),
            new("weight", FieldKind.Number, o => ((Product)o).Weight),
            new("variants", FieldKind.Records, o => ((Product)o).Variants, "variant"),
        ]),
        new(Variant, "variant", o => ((ProductVariant)o).Sku,
        [
            new("sku", FieldKind.Sku, o => ((ProductVariant)o).Sku),
            new("price", FieldKind.Money, o => ((ProductVariant)o).Price),
            new("weight", FieldKind.Number, o => ((ProductVariant)o).Weight),
            new("salable", FieldKind.Boolean, o => ((ProductVariant)o).Salable),
        ]),
        new(Inventory, "inventory", o => ((InventoryLevel)o).Sku,
        [
            new("sku", FieldKind.Sku, o => ((InventoryLevel)o).Sku),
            new("location", FieldKind.Location, o => ((InventoryLevel)o).Location),
            new("quantity", FieldKind.Number, o => ((InventoryLevel)o).Quantity),
        ]),
        new(Customer, "customer", o => ((Customer)o).Email,
        [
            new("email", FieldKind.Email, o => ((Customer)o).Email),
            new("firstName", FieldKind.Text, o => ((Customer)o).FirstName),
            new("lastName", FieldKind.Text, o => ((Customer)o).LastName),
            new("phone", FieldKind.Phone, o => ((Customer)o).Phone),
            new("acceptsMarketing", FieldKind.Boolean, o => ((Customer)o).AcceptsMarketing),
            new("company", FieldKind.Record, o => ((Customer)o).Company, "company"),
            new("addresses", FieldKind.Records, o => ((Customer)o).Addresses, "address"),
        ]),
        new(Address, "address", _ => null,
        [
            new("firstName", FieldKind.Text, o => ((Address)o).FirstName),
            new("lastName", FieldKind.Text, o => ((Address)o).LastName),
            new("company", FieldKind.Text, o => ((Address)o).Company),
            new("line1", FieldKind.Text, o => ((Address)o).Line1),
            new("line2", FieldKind.Text, o => ((Address)o).Line2),
            new("city", FieldKind.Text, o => ((Address)o).City),
            new("subdivision", FieldKind.Subdivision, o => ((Address)o).Subdivision),
            new("postalCode", FieldKind.Text, o => ((Address)o).PostalCode),
            new("countryCode", FieldKind.Country, o => ((Address)o).CountryCode),
            new("phone", FieldKind.Phone, o => ((Address)o).Phone),
            new("email", FieldKind.Email, o => ((Address)o).Email),
        ]),
        new(Company, "company", o => ((Company)o).Name,
        [
            new("name", FieldKind.Text, o => ((Company)o).Name),
            new("taxId", FieldKind.Text, o => ((Company)o).TaxId),
            new("address", FieldKind.Record, o => ((Company)o).Address, "address"),
        ]),
        new(Order, "order", o => ((Order)o).NaturalKey,
        [
            new("status", FieldKind.Status, o => ((Order)o).Status),
            new("currency", FieldKind.Text, o => ((Order)o).Currency),
            new("customer", FieldKind.Record, o => ((Order)o).Customer, "customer"),
            new("billingAddress", FieldKind.Record, o => ((Order)o).BillingAddress, "address"),
            new("shippingAddresses", FieldKind.Records, o => ((Order)o).ShippingAddresses, "address"),
            new("lines", FieldKind.Records, o => ((Order)o).Lines, "orderLine"),
            new("shippingTotal", FieldKind.Money, o => ((Order)o).ShippingTotal),
            new("taxTotal", FieldKind.Money, o => ((Order)o).TaxTotal),
            new("grandTotal", FieldKind.Money, o => ((Order)o).GrandTotal),
            new("createdAt", FieldKind.Timestamp, o => ((Order)o).CreatedAt),
        ]),
        new(OrderLine, "orderLine", o => ((OrderLine)o).Sku,
        [
            new("sku", FieldKind.Sku, o => ((OrderLine)o).Sku),
            new("name", FieldKind.Text, o => ((OrderLine)o).Name),
            new("quantity", FieldKind.Number, o => ((OrderLine)o).Quantity),
            new("unitPrice", FieldKind.Money, o => ((OrderLine)o).UnitPrice),
        ]),
    ];

    public static FrozenDictionary<string, ObjectDefinition> ByName { get; } =
        Objects.ToFrozenDictionary(o => o.Name, StringComparer.Ordinal);

    /// <summary>The configuration name of a system (<c>bigcommerce</c>, <c>erp</c>, <c>crm</c>).</summary>
    public static string NameOf(SystemName system) => system switch
    {
        SystemName.BigCommerce => "bigcommerce",
        SystemName.Erp => "erp",
        SystemName.Crm => "crm",
        _ => throw new ArgumentOutOfRangeException(nameof(system), system, null),
    };

    public static readonly SystemName[] Systems = [SystemName.BigCommerce, SystemName.Erp, SystemName.Crm];

    public static bool TryParseSystem(string name, out SystemName system)
    {
        foreach (var candidate in Systems)
        {
            if (NameOf(candidate) == name)
            {
                system = candidate;
                return true;
            }
        }

        system = default;
        return false;
    }
}
