using System.Globalization;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Bc = Integration.BigCommerce.Client;

namespace Integration.BigCommerce.Commerce;

/// <summary>
/// BigCommerce's records as the hub's canonical model — the v2 order (with its products and shipping addresses) and
/// the v3 customer (with its addresses): statuses through the mapping's status table, every value through the
/// mapping's normalisers. Unknown values are
/// <see cref="MappingException"/>s naming the value and the table to extend.
/// </summary>
public sealed class BigCommerceTranslator(MappingConfiguration mapping)
{
    /// <summary>
    /// An order read with its consignments (<see cref="Bc.BigCommerceClient.GetOrderWithLinesAsync"/>): the shipping
    /// consignments are its shipping addresses (their ids are the addresses' ids), the consignments' line items its products.
    /// </summary>
    public Order ToCanonical(string storeHash, Bc.Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var consignments = order.Consignments ?? throw new ArgumentException("The order was read without its consignments.", nameof(order));
        return ToCanonical(storeHash, order, consignments.LineItems(), [.. consignments.Shipping.Select(c => new Bc.OrderShippingAddress
        {
            Id = c.Id, OrderId = order.Id, FirstName = c.FirstName, LastName = c.LastName, Company = c.Company, Street1 = c.Street1,
            Street2 = c.Street2, City = c.City, State = c.State, Zip = c.Zip, Country = c.Country, CountryIso2 = c.CountryIso2,
            Phone = c.Phone, Email = c.Email, ItemsTotal = c.ItemsTotal, ItemsShipped = c.ItemsShipped, ShippingMethod = c.ShippingMethod,
        })]);
    }

    public Order ToCanonical(string storeHash, Bc.Order order, IReadOnlyList<Bc.OrderProduct> products,
        IReadOnlyList<Bc.OrderShippingAddress> shippingAddresses)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(shippingAddresses);
        var billing = order.BillingAddress;
        var canonical = new Order
        {
            StoreHash = storeHash,
            OrderId = order.Id,
            Status = mapping.Statuses.ToCanonical(SystemName.BigCommerce, order.StatusId.ToString(CultureInfo.InvariantCulture)),
            Currency = order.CurrencyCode,
            ChannelId = order.ChannelId,
            Customer = new Customer
            {
                Email = billing.Email,
                FirstName = NullIfEmpty(billing.FirstName),
                LastName = NullIfEmpty(billing.LastName),
                Phone = NullIfEmpty(billing.Phone),
                Ids = new SystemIds(BigCommerce: order.CustomerId > 0 ? order.CustomerId.ToString(CultureInfo.InvariantCulture) : null),
            },
            BillingAddress = Address(billing.FirstName, billing.LastName, billing.Company, billing.Street1, billing.Street2, billing.City,
                billing.State, billing.Zip, billing.CountryIso2, billing.Phone, billing.Email, null),
            ShippingAddresses = [.. shippingAddresses.Select(a => Address(a.FirstName, a.LastName, a.Company, a.Street1, a.Street2, a.City,
                a.State, a.Zip, a.CountryIso2, a.Phone, a.Email, a.Id))],
            Lines = [.. products.Select(p => new OrderLine
            {
                Sku = p.Sku,
                Name = NullIfEmpty(p.Name),
                Quantity = p.Quantity,
                UnitPrice = p.PriceExTax,
                BigCommerceLineId = p.Id,
            })],
            ShippingTotal = order.ShippingCostIncTax,
            TaxTotal = order.TotalTax,
            GrandTotal = order.TotalIncTax,
            CreatedAt = order.DateCreated,
            ModifiedAt = order.DateModified ?? order.DateCreated,
            Ids = new SystemIds(BigCommerce: order.Id.ToString(CultureInfo.InvariantCulture)),
        };
        return mapping.Records.Normalise(canonical);
    }

    /// <summary>
    /// A BigCommerce refund as the canonical <see cref="Refund"/>: <c>PRODUCT</c> items become lines by the order
    /// product's SKU (normalised; one line per SKU), every other item type (shipping, handling, the order, gift
    /// wrapping, fees) adds to <see cref="Refund.OtherAmount"/>. An item naming an order product the order does not
    /// have is a <see cref="MappingException"/> naming it.
    /// </summary>
    public Refund ToCanonical(string storeHash, Bc.Order order, Bc.Refund refund, IReadOnlyList<Bc.OrderProduct> products)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(refund);
        ArgumentNullException.ThrowIfNull(products);
        var lines = new List<RefundLine>();
        var other = 0m;
        foreach (var item in refund.Items)
        {
            if (item.ItemType != "PRODUCT")
            {
                other += item.RequestedAmount ?? 0m;
                continue;
            }

            var product = products.FirstOrDefault(p => p.Id == item.ItemId)
                ?? throw new MappingException(string.Create(CultureInfo.InvariantCulture,
                    $"Refund {refund.Id} of order {order.Id} refunds order product {item.ItemId}, which the order does not have."));
            lines.Add(new RefundLine
            {
                Sku = mapping.Sku.Normalise(product.Sku),
                Quantity = item.Quantity ?? 0,
                Amount = item.RequestedAmount ?? 0m,
            });
        }

        return new Refund
        {
            StoreHash = storeHash,
            OrderId = order.Id,
            RefundId = refund.Id,
            Currency = order.CurrencyCode,
            // Two order products with one SKU (e.g. different options) are one ERP line: refund them together.
            Lines = [.. lines.GroupBy(l => l.Sku, StringComparer.Ordinal)
                .Select(g => new RefundLine { Sku = g.Key, Quantity = g.Sum(l => l.Quantity), Amount = g.Sum(l => l.Amount) })],
            // A tax adjustment refund lists no items (orders.v3.yml): its whole amount is money not tied to goods.
            OtherAmount = refund.Items.Count == 0 ? refund.TotalAmount : other,
            Reason = NullIfEmpty(refund.Reason ?? string.Empty),
            CreatedAt = refund.Created,
        };
    }

    private static Address Address(string firstName, string lastName, string company, string line1, string line2, string city,
        string state, string zip, string countryIso2, string phone, string email, long? id) => new()
    {
        FirstName = NullIfEmpty(firstName),
        LastName = NullIfEmpty(lastName),
        Company = NullIfEmpty(company),
        Line1 = line1,
        Line2 = NullIfEmpty(line2),
        City = city,
        Subdivision = NullIfEmpty(state),
        PostalCode = NullIfEmpty(zip),
        CountryCode = countryIso2,
        Phone = NullIfEmpty(phone),
        Email = NullIfEmpty(email),
        Ids = id is { } value ? new SystemIds(BigCommerce: value.ToString(CultureInfo.InvariantCulture)) : SystemIds.None,
    };

    /// <summary>A BigCommerce v3 customer (with its addresses) as the canonical <see cref="Customer"/>, normalised.</summary>
    public Customer ToCanonical(Bc.Customer customer)
    {
        ArgumentNullException.ThrowIfNull(customer);
        return mapping.Records.Normalise(new Customer
        {
            Email = customer.Email,
            FirstName = NullIfEmpty(customer.FirstName),
            LastName = NullIfEmpty(customer.LastName),
            Phone = NullIfEmpty(customer.Phone),
            Company = string.IsNullOrWhiteSpace(customer.Company) ? null : new Company { Name = customer.Company },
            CustomerGroupId = customer.CustomerGroupId,
            Addresses = [.. (customer.Addresses ?? []).Select(a => Address(a.FirstName, a.LastName, a.Company, a.Address1, a.Address2, a.City,
                a.StateOrProvince, a.PostalCode, a.CountryCode, a.Phone, string.Empty, a.Id))],
            ModifiedAt = customer.DateModified,
            Ids = new SystemIds(BigCommerce: customer.Id.ToString(CultureInfo.InvariantCulture)),
        });
    }

    /// <summary>
    /// A BigCommerce v3 product (with its variants) as the canonical <see cref="Product"/>: normalised SKUs, each
    /// variant's effective price and weight (the product's where the variant sets none), salable = not purchasing
    /// disabled, BigCommerce ids on product and variants, <c>date_modified</c> as the version.
    /// </summary>
    public Product ToCanonical(Bc.Product product)
    {
        ArgumentNullException.ThrowIfNull(product);
        return new Product
        {
            Sku = mapping.Sku.Normalise(product.Sku),
            Name = product.Name,
            Description = product.Description,
            Price = product.Price,
            Weight = product.Weight,
            Variants = [.. (product.Variants ?? []).Select(v => new ProductVariant
            {
                Sku = mapping.Sku.Normalise(v.Sku),
                Price = v.Price ?? product.Price,
                Weight = v.Weight ?? product.Weight,
                Salable = !v.PurchasingDisabled,
                Options = [.. v.OptionValues.Select(o => new KeyValuePair<string, string>(o.OptionDisplayName, o.Label))],
                Ids = new SystemIds(BigCommerce: v.Id.ToString(CultureInfo.InvariantCulture)),
            })],
            ModifiedAt = product.DateModified,
            Ids = new SystemIds(BigCommerce: product.Id.ToString(CultureInfo.InvariantCulture)),
        };
    }

    private static string? NullIfEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
