using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;

namespace Integration.BigCommerce.Emulator.State;

public sealed partial class EmulatedStore
{
    private static readonly string[] FirstNames = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken"];
    private static readonly string[] LastNames = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson"];
    private readonly SortedDictionary<long, Customer> _customers = [];
    private readonly SortedDictionary<long, OrderRecord> _orders = [];
    private long _nextOrderId = 100;
    private long _nextOrderProductId = 1;
    private long _nextOrderAddressId = 1;
    private long _nextShipmentId = 1;

    public int OrderCount
    {
        get
        {
            lock (_sync)
            {
                return _orders.Count;
            }
        }
    }

    private void SeedCustomersAndOrders(SeedOptions seed)
    {
        for (long i = 1; i <= seed.Customers; i++)
        {
            var first = FirstNames[Seeded.Int(seed.RandomSeed, i, 10, FirstNames.Length)];
            var last = LastNames[Seeded.Int(seed.RandomSeed, i, 11, LastNames.Length)];
            var created = SeedEpoch.AddHours(i);
            _customers[i] = new Customer
            {
                Id = i, Email = $"customer{i}@example.com", FirstName = first, LastName = last, Company = string.Empty,
                Phone = $"+1555000{i:D4}", Notes = string.Empty, CustomerGroupId = 0, DateCreated = created, DateModified = created,
                AddressCount = 1,
                Addresses =
                [
                    new CustomerAddress
                    {
                        Id = i, CustomerId = i, FirstName = first, LastName = last, Address1 = $"{i} Main Street", City = "Austin",
                        StateOrProvince = "Texas", PostalCode = "78701", CountryCode = "US", Country = "United States",
                        Phone = $"+1555000{i:D4}", AddressType = "residential",
                    },
                ],
            };
        }

        var statuses = new[] { OrderStatuses.AwaitingFulfillment, OrderStatuses.Pending, OrderStatuses.AwaitingShipment, OrderStatuses.Completed };
        for (long i = 1; i <= seed.Orders && ProductCount > 0; i++)
        {
            var lines = new List<(long, int)>();
            var count = 1 + Seeded.Int(seed.RandomSeed, i, 20, 3);
            for (var l = 0; l < count; l++)
            {
                var product = 1 + Seeded.Int(seed.RandomSeed, i, 21 + l, ProductCount);
                var k = 1 + Seeded.Int(seed.RandomSeed, i, 31 + l, VariantsPerProduct);
                lines.Add((VariantId(product, k), 1 + Seeded.Int(seed.RandomSeed, i, 41 + l, 3)));
            }

            var customer = seed.Customers > 0 ? ((i - 1) % seed.Customers) + 1 : 0;
            AddOrder(customer, lines, statuses[Seeded.Int(seed.RandomSeed, i, 50, statuses.Length)], SeedEpoch.AddHours(i));
        }
    }

    /// <summary>Places an order (as a shopper would) and raises <c>store/order/created</c>.</summary>
    public Order CreateOrder(long customerId, IReadOnlyList<(long VariantId, int Quantity)> lines, int statusId = OrderStatuses.AwaitingFulfillment)
    {
        ArgumentNullException.ThrowIfNull(lines);
        Order order;
        lock (_sync)
        {
            order = Copy(AddOrder(customerId, lines, statusId, Now).Order);
        }

        Raise("store/order/created", new JsonObject { ["type"] = "order", ["id"] = order.Id });
        return order;
    }

    internal Order? GetOrder(long id)
    {
        lock (_sync)
        {
            return _orders.TryGetValue(id, out var record) ? Copy(record.Order) : null;
        }
    }

    internal (List<Order> Items, bool Found) QueryOrders(DateTimeOffset? modifiedMin, int? statusId, int page, int limit)
    {
        lock (_sync)
        {
            var items = _orders.Values.Select(r => r.Order)
                .Where(o => (modifiedMin is null || o.DateModified >= modifiedMin) && (statusId is null || o.StatusId == statusId))
                .Skip((page - 1) * limit).Take(limit).Select(Copy).ToList();
            return (items, items.Count > 0);
        }
    }

    internal List<OrderProduct>? GetOrderProducts(long orderId)
    {
        lock (_sync)
        {
            return _orders.TryGetValue(orderId, out var record) ? [.. record.Products.Select(Copy)] : null;
        }
    }

    internal List<OrderShippingAddress>? GetShippingAddresses(long orderId)
    {
        lock (_sync)
        {
            return _orders.TryGetValue(orderId, out var record) ? [.. record.Addresses.Select(Copy)] : null;
        }
    }

    internal List<Shipment>? GetShipments(long orderId)
    {
        lock (_sync)
        {
            return _orders.TryGetValue(orderId, out var record) ? [.. record.Shipments] : null;
        }
    }

    /// <summary>Changes the status; raises <c>store/order/statusUpdated</c> and <c>store/order/updated</c> when it changed.</summary>
    internal Order? SetOrderStatus(long orderId, int statusId)
    {
        Order order;
        int previous;
        lock (_sync)
        {
            if (!_orders.TryGetValue(orderId, out var record))
            {
                return null;
            }

            previous = record.Order.StatusId;
            if (previous != statusId)
            {
                SetStatus(record.Order, statusId);
            }

            order = Copy(record.Order);
        }

        if (previous != statusId)
        {
            RaiseStatusChange(orderId, previous, statusId);
        }

        return order;
    }

    /// <summary>Creates a shipment after checking its address and items; returns the error when they are not the order's.</summary>
    internal (Shipment? Shipment, string? Error, bool NotFound) CreateShipment(long orderId, ShipmentRequest request)
    {
        Shipment shipment;
        int previous, status;
        lock (_sync)
        {
            if (!_orders.TryGetValue(orderId, out var record))
            {
                return (null, null, true);
            }

            var address = record.Addresses.FirstOrDefault(a => a.Id == request.OrderAddressId);
            if (address is null)
            {
                return (null, $"order_address_id {request.OrderAddressId} is not a shipping address of order {orderId}.", false);
            }

            if (request.Items is not { Count: > 0 })
            {
                return (null, "items must list at least one order product.", false);
            }

            foreach (var item in request.Items)
            {
                var line = record.Products.FirstOrDefault(p => p.Id == item.OrderProductId && p.OrderAddressId == address.Id);
                if (line is null)
                {
                    return (null, $"order_product_id {item.OrderProductId} is not a product of order {orderId} shipped to that address.", false);
                }

                if (item.Quantity < 1 || item.Quantity > line.Quantity - line.QuantityShipped)
                {
                    return (null, $"quantity {item.Quantity} of order_product_id {item.OrderProductId} exceeds the {line.Quantity - line.QuantityShipped} left to ship.", false);
                }
            }

            var items = new List<ShipmentItem>();
            foreach (var item in request.Items)
            {
                var line = record.Products.First(p => p.Id == item.OrderProductId);
                line.QuantityShipped += item.Quantity;
                address.ItemsShipped += item.Quantity;
                items.Add(new ShipmentItem { OrderProductId = line.Id, ProductId = line.ProductId, Quantity = item.Quantity });
            }

            shipment = new Shipment
            {
                Id = _nextShipmentId++, OrderId = orderId, CustomerId = record.Order.CustomerId, OrderAddressId = address.Id,
                DateCreated = Now, TrackingNumber = request.TrackingNumber ?? string.Empty, ShippingMethod = request.ShippingMethod ?? string.Empty,
                ShippingProvider = request.ShippingProvider ?? string.Empty,
                TrackingCarrier = request.TrackingCarrier ?? string.Empty, Comments = request.Comments ?? string.Empty,
                BillingAddress = record.Order.BillingAddress, ShippingAddress = ToOrderAddress(address), Items = items,
            };
            record.Shipments.Add(shipment);
            record.Order.ItemsShipped = record.Products.Sum(p => p.QuantityShipped);
            previous = record.Order.StatusId;
            status = record.Order.ItemsShipped >= record.Order.ItemsTotal ? OrderStatuses.Shipped : OrderStatuses.PartiallyShipped;
            SetStatus(record.Order, status);
            if (status == OrderStatuses.Shipped)
            {
                record.Order.DateShipped = Now;
            }
        }

        Raise("store/shipment/created", new JsonObject { ["type"] = "shipment", ["id"] = shipment.Id, ["orderId"] = orderId });
        if (previous != status)
        {
            RaiseStatusChange(orderId, previous, status);
        }

        return (shipment, null, false);
    }

    internal (List<Customer> Items, int Total) QueryCustomers(
        IReadOnlyCollection<long>? ids, IReadOnlyCollection<string>? emails, bool includeAddresses, int page, int limit)
    {
        lock (_sync)
        {
            var matching = _customers.Values
                .Where(c => (ids is null || ids.Contains(c.Id)) && (emails is null || emails.Contains(c.Email, StringComparer.OrdinalIgnoreCase)))
                .ToList();
            var items = matching.Skip((page - 1) * limit).Take(limit).Select(c => Copy(c, includeAddresses)).ToList();
            return (items, matching.Count);
        }
    }

    private void RaiseStatusChange(long orderId, int previous, int status)
    {
        Raise("store/order/statusUpdated", new JsonObject
        {
            ["type"] = "order", ["id"] = orderId,
            ["status"] = new JsonObject { ["previous_status_id"] = previous, ["new_status_id"] = status },
        });
        Raise("store/order/updated", new JsonObject { ["type"] = "order", ["id"] = orderId });
    }

    private void SetStatus(Order order, int statusId)
    {
        order.StatusId = statusId;
        order.Status = OrderStatuses.Names[statusId];
        order.DateModified = Now;
    }

    private OrderRecord AddOrder(long customerId, IReadOnlyList<(long VariantId, int Quantity)> lines, int statusId, DateTimeOffset at)
    {
        var id = _nextOrderId++;
        var customer = _customers.GetValueOrDefault(customerId);
        var address = customer?.Addresses?.FirstOrDefault();
        var billing = new OrderAddress
        {
            FirstName = customer?.FirstName ?? "Guest", LastName = customer?.LastName ?? "Shopper", Street1 = address?.Address1 ?? "1 Guest Road",
            City = address?.City ?? "Austin", State = address?.StateOrProvince ?? "Texas", Zip = address?.PostalCode ?? "78701",
            Country = address?.Country ?? "United States", CountryIso2 = address?.CountryCode ?? "US", Phone = customer?.Phone ?? string.Empty,
            Email = customer?.Email ?? "guest@example.com",
        };
        var shipping = new OrderShippingAddress
        {
            Id = _nextOrderAddressId++, OrderId = id, FirstName = billing.FirstName, LastName = billing.LastName, Street1 = billing.Street1,
            City = billing.City, State = billing.State, Zip = billing.Zip, Country = billing.Country, CountryIso2 = billing.CountryIso2,
            Phone = billing.Phone, Email = billing.Email, ShippingMethod = "Flat Rate",
        };
        var products = new List<OrderProduct>();
        foreach (var (variantId, quantity) in lines)
        {
            var variant = CurrentVariant(variantId);
            var price = variant.CalculatedPrice ?? variant.Price ?? 0;
            products.Add(new OrderProduct
            {
                Id = _nextOrderProductId++, OrderId = id, ProductId = variant.ProductId, VariantId = variant.Id, OrderAddressId = shipping.Id,
                Name = $"Product {variant.ProductId}", Sku = variant.Sku, BasePrice = price, PriceExTax = price, PriceIncTax = price,
                TotalExTax = price * quantity, TotalIncTax = price * quantity, Quantity = quantity,
            });
        }

        var subtotal = products.Sum(p => p.TotalExTax);
        shipping.ItemsTotal = products.Sum(p => p.Quantity);
        var order = new Order
        {
            Id = id, CustomerId = customerId, DateCreated = at, DateModified = at, StatusId = statusId, Status = OrderStatuses.Names[statusId],
            SubtotalExTax = subtotal, SubtotalIncTax = subtotal, ShippingCostIncTax = 0, TotalExTax = subtotal, TotalIncTax = subtotal,
            TotalTax = 0, ItemsTotal = shipping.ItemsTotal, PaymentStatus = "captured", BillingAddress = billing,
        };
        var record = new OrderRecord(order, products, [shipping], []);
        _orders[id] = record;
        return record;
    }

    private static OrderAddress ToOrderAddress(OrderShippingAddress a) => new()
    {
        FirstName = a.FirstName, LastName = a.LastName, Company = a.Company, Street1 = a.Street1, Street2 = a.Street2, City = a.City,
        State = a.State, Zip = a.Zip, Country = a.Country, CountryIso2 = a.CountryIso2, Phone = a.Phone, Email = a.Email,
    };

    private static Order Copy(Order o) => new()
    {
        Id = o.Id, CustomerId = o.CustomerId, ChannelId = o.ChannelId, DateCreated = o.DateCreated, DateModified = o.DateModified,
        DateShipped = o.DateShipped, StatusId = o.StatusId, Status = o.Status, SubtotalExTax = o.SubtotalExTax, SubtotalIncTax = o.SubtotalIncTax,
        ShippingCostIncTax = o.ShippingCostIncTax, TotalExTax = o.TotalExTax, TotalIncTax = o.TotalIncTax, TotalTax = o.TotalTax,
        ItemsTotal = o.ItemsTotal, ItemsShipped = o.ItemsShipped, PaymentStatus = o.PaymentStatus, CurrencyCode = o.CurrencyCode,
        CustomerMessage = o.CustomerMessage, StaffNotes = o.StaffNotes, IsDeleted = o.IsDeleted, BillingAddress = o.BillingAddress,
    };

    private static OrderProduct Copy(OrderProduct p) => new()
    {
        Id = p.Id, OrderId = p.OrderId, ProductId = p.ProductId, VariantId = p.VariantId, OrderAddressId = p.OrderAddressId, Name = p.Name,
        Sku = p.Sku, Type = p.Type, BasePrice = p.BasePrice, PriceExTax = p.PriceExTax, PriceIncTax = p.PriceIncTax, TotalExTax = p.TotalExTax,
        TotalIncTax = p.TotalIncTax, Quantity = p.Quantity, QuantityShipped = p.QuantityShipped,
    };

    private static OrderShippingAddress Copy(OrderShippingAddress a) => new()
    {
        Id = a.Id, OrderId = a.OrderId, FirstName = a.FirstName, LastName = a.LastName, Company = a.Company, Street1 = a.Street1,
        Street2 = a.Street2, City = a.City, State = a.State, Zip = a.Zip, Country = a.Country, CountryIso2 = a.CountryIso2, Phone = a.Phone,
        Email = a.Email, ItemsTotal = a.ItemsTotal, ItemsShipped = a.ItemsShipped, ShippingMethod = a.ShippingMethod,
    };

    private static Customer Copy(Customer c, bool includeAddresses) => new()
    {
        Id = c.Id, Email = c.Email, FirstName = c.FirstName, LastName = c.LastName, Company = c.Company, Phone = c.Phone, Notes = c.Notes,
        CustomerGroupId = c.CustomerGroupId, DateCreated = c.DateCreated, DateModified = c.DateModified, AddressCount = c.AddressCount,
        Addresses = includeAddresses ? c.Addresses : null,
    };

    private sealed record OrderRecord(Order Order, List<OrderProduct> Products, List<OrderShippingAddress> Addresses, List<Shipment> Shipments);
}
