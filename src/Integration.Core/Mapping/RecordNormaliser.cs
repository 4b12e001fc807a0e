using Integration.Core.Model;

namespace Integration.Core.Mapping;

/// <summary>
/// Brings a canonical record, as a connector read it, to the model's invariants: normalised SKUs and e-mails,
/// ISO country and subdivision codes, E.164 phones, ISO 4217 currencies and amounts rounded to them. Records
/// (and lists) that are already normal are returned as they are, so normalising twice costs no allocation.
/// </summary>
/// <exception cref="MappingException">A value cannot be normalised (unknown country, empty SKU, ...).</exception>
public sealed class RecordNormaliser(SkuNormaliser sku, CountryNormaliser countries, SubdivisionNormaliser subdivisions)
{
    public Product Normalise(Product product)
    {
        ArgumentNullException.ThrowIfNull(product);
        var currency = product.Currency is null ? null : MoneyNormaliser.Currency(product.Currency);
        var normalSku = sku.Normalise(product.Sku);
        var price = Round(product.Price, currency);
        var variants = NormaliseAll(product.Variants, v => Normalise(v, currency));
        return ReferenceEquals(normalSku, product.Sku) && price == product.Price && ReferenceEquals(currency, product.Currency)
            && ReferenceEquals(variants, product.Variants)
            ? product
            : product with { Sku = normalSku, Currency = currency, Price = price, Variants = variants };
    }

    public InventoryLevel Normalise(InventoryLevel level)
    {
        ArgumentNullException.ThrowIfNull(level);
        var normalSku = sku.Normalise(level.Sku);
        return ReferenceEquals(normalSku, level.Sku) ? level : level with { Sku = normalSku };
    }

    public Customer Normalise(Customer customer)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var addresses = NormaliseAll(customer.Addresses, Normalise);
        var email = EmailNormaliser.Normalise(customer.Email);
        var phone = PhoneNormaliser.Normalise(customer.Phone, addresses.Count > 0 ? addresses[0].CountryCode : null);
        var company = customer.Company is null ? null : Normalise(customer.Company);
        return ReferenceEquals(email, customer.Email) && phone == customer.Phone && ReferenceEquals(company, customer.Company)
            && ReferenceEquals(addresses, customer.Addresses)
            ? customer
            : customer with { Email = email, Phone = phone, Company = company, Addresses = addresses };
    }

    public Company Normalise(Company company)
    {
        ArgumentNullException.ThrowIfNull(company);
        var address = company.Address is null ? null : Normalise(company.Address);
        return ReferenceEquals(address, company.Address) ? company : company with { Address = address };
    }

    public Address Normalise(Address address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var country = countries.Normalise(address.CountryCode);
        var subdivision = subdivisions.Normalise(country, address.Subdivision);
        var phone = PhoneNormaliser.Normalise(address.Phone, country);
        var email = address.Email is null ? null : EmailNormaliser.Normalise(address.Email);
        return ReferenceEquals(country, address.CountryCode) && subdivision == address.Subdivision && phone == address.Phone
            && ReferenceEquals(email, address.Email)
            ? address
            : address with { CountryCode = country, Subdivision = subdivision, Phone = phone, Email = email };
    }

    public Order Normalise(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var currency = MoneyNormaliser.Currency(order.Currency);
        var customer = Normalise(order.Customer);
        var billing = order.BillingAddress is null ? null : Normalise(order.BillingAddress);
        var shipping = NormaliseAll(order.ShippingAddresses, Normalise);
        var lines = NormaliseAll(order.Lines, line => Normalise(line, currency));
        var (shippingTotal, taxTotal, grandTotal) = (Round(order.ShippingTotal, currency), Round(order.TaxTotal, currency), Round(order.GrandTotal, currency));
        return ReferenceEquals(currency, order.Currency) && ReferenceEquals(customer, order.Customer) && ReferenceEquals(billing, order.BillingAddress)
            && ReferenceEquals(shipping, order.ShippingAddresses) && ReferenceEquals(lines, order.Lines)
            && shippingTotal == order.ShippingTotal && taxTotal == order.TaxTotal && grandTotal == order.GrandTotal
            ? order
            : order with
            {
                Currency = currency, Customer = customer, BillingAddress = billing, ShippingAddresses = shipping, Lines = lines,
                ShippingTotal = shippingTotal, TaxTotal = taxTotal, GrandTotal = grandTotal,
            };
    }

    private OrderLine Normalise(OrderLine line, string currency)
    {
        var normalSku = sku.Normalise(line.Sku);
        var price = MoneyNormaliser.Round(line.UnitPrice, currency);
        return ReferenceEquals(normalSku, line.Sku) && price == line.UnitPrice ? line : line with { Sku = normalSku, UnitPrice = price };
    }

    private ProductVariant Normalise(ProductVariant variant, string? currency)
    {
        var normalSku = sku.Normalise(variant.Sku);
        var price = Round(variant.Price, currency);
        return ReferenceEquals(normalSku, variant.Sku) && price == variant.Price ? variant : variant with { Sku = normalSku, Price = price };
    }

    private static decimal? Round(decimal? amount, string? currency) =>
        amount is { } value && currency is not null ? MoneyNormaliser.Round(value, currency) : amount;

    /// <summary>The same list when no item changed, so an already-normal record allocates nothing.</summary>
    private static IReadOnlyList<T> NormaliseAll<T>(IReadOnlyList<T> items, Func<T, T> normalise)
        where T : class
    {
        T[]? changed = null;
        for (var i = 0; i < items.Count; i++)
        {
            var normal = normalise(items[i]);
            if (changed is null && !ReferenceEquals(normal, items[i]))
            {
                changed = new T[items.Count];
                for (var j = 0; j < i; j++)
                {
                    changed[j] = items[j];
                }
            }

            if (changed is not null)
            {
                changed[i] = normal;
            }
        }

        return changed ?? items;
    }
}
