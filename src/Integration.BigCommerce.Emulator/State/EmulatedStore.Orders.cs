using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator.Api.Shapes;

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

        _nextCustomerId = seed.Customers;
        _nextCustomerAddressId = seed.Customers;
        var statuses = new[] { OrderStatuses.AwaitingFulfillment, OrderStatuses.Pending, OrderStatuses.AwaitingShipment, OrderStatuses.Completed };
        for (long i = 1; i <= seed.Orders && SeededProducts > 0; i++)
        {
            var lines = new List<(long, int)>();
            var count = 1 + Seeded.Int(seed.RandomSeed, i, 20, 3);
            for (var l = 0; l < count; l++)
            {
                var product = 1 + Seeded.Int(seed.RandomSeed, i, 21 + l, SeededProducts);
                var k = 1 + Seeded.Int(seed.RandomSeed, i, 31 + l, VariantsPerProduct);
                lines.Add((VariantId(product, k), 1 + Seeded.Int(seed.RandomSeed, i, 41 + l, 3)));
            }

            var customer = seed.Customers > 0 ? ((i - 1) % seed.Customers) + 1 : 0;
            AddOrder(customer, lines, statuses[Seeded.Int(seed.RandomSeed, i, 50, statuses.Length)], SeedEpoch.AddHours(i));
        }
    }

    /// <summary>
    /// Places an order (as a shopper would) and raises <c>store/order/created</c>; the order takes its units per the
    /// inventory settings. With <paramref name="checkStock"/>, an order for more than the default location holds is
    /// refused (<see cref="InvalidOperationException"/>), as the storefront refuses it; without, the level may go
    /// below zero (tests that place orders on arbitrary seeded variants).
    /// </summary>
    public Order CreateOrder(long customerId, IReadOnlyList<(long VariantId, int Quantity)> lines, int statusId = OrderStatuses.AwaitingFulfillment,
        bool checkStock = false)
    {
        ArgumentNullException.ThrowIfNull(lines);
        Order order;
        List<(Variant Variant, long Location, int Delta)> taken;
        lock (_sync)
        {
            if (checkStock)
            {
                EnsureInStock(lines, statusId);
            }

            var record = AddOrder(customerId, lines, statusId, Now);
            taken = MoveStockForStatus(record);
            order = Copy(record.Order);
        }

        Raise("store/order/created", new JsonObject { ["type"] = "order", ["id"] = order.Id });
        RaiseOrderInventory(taken);
        return order;
    }

    internal Order? GetOrder(long id)
    {
        lock (_sync)
        {
            return _orders.TryGetValue(id, out var record) ? Copy(record.Order) : null;
        }
    }

    /// <param name="consignments">Null: no consignments; false: the consignments; true: with their line items.</param>
    internal JsonObject? OrderJson(long id, string v2Base, bool? consignments = null)
    {
        lock (_sync)
        {
            if (!_orders.TryGetValue(id, out var record))
            {
                return null;
            }

            var order = OrderShapes.Order(record, v2Base);
            if (consignments is { } lines)
            {
                order["consignments"] = OrderShapes.Consignments(record, lines, v2Base);
            }

            return order;
        }
    }

    internal List<JsonObject> QueryOrders(OrderFilter filter, string v2Base, int page, int limit)
    {
        lock (_sync)
        {
            return [.. Matching(filter).Skip((page - 1) * limit).Take(limit).Select(r => OrderShapes.Order(r, v2Base))];
        }
    }

    /// <summary><c>GET /v2/orders/count</c>: the total and a count per status (every status listed, as BigCommerce does).</summary>
    internal JsonObject CountOrders()
    {
        lock (_sync)
        {
            var live = _orders.Values.Where(r => !r.Order.IsDeleted).ToList();
            return new JsonObject
            {
                ["statuses"] = new JsonArray([.. OrderStatuses.Names.Select((name, i) => (JsonNode)new JsonObject
                {
                    ["id"] = i, ["name"] = name, ["system_label"] = name, ["custom_label"] = name, ["system_description"] = name,
                    ["count"] = live.Count(r => r.Order.StatusId == i), ["sort_order"] = i,
                })]),
                ["count"] = live.Count,
            };
        }
    }

    internal List<JsonObject>? OrderProducts(long orderId)
    {
        lock (_sync)
        {
            return _orders.TryGetValue(orderId, out var record) ? [.. record.Products.Select(OrderShapes.Product)] : null;
        }
    }

    internal List<JsonObject>? ShippingAddresses(long orderId, string v2Base)
    {
        lock (_sync)
        {
            return _orders.TryGetValue(orderId, out var record)
                ? [.. record.Addresses.Select(a => OrderShapes.ShippingAddress(a, record.Order.ShippingCostIncTax, v2Base))]
                : null;
        }
    }

    internal List<JsonObject>? Shipments(long orderId)
    {
        lock (_sync)
        {
            return _orders.TryGetValue(orderId, out var record) ? [.. record.Shipments.Select(OrderShapes.Shipment)] : null;
        }
    }

    /// <summary>
    /// <c>PUT /v2/orders/{id}</c>: applies only the fields present (an omitted field keeps its value); raises
    /// <c>statusUpdated</c> when the status changed and <c>updated</c> when anything changed.
    /// </summary>
    internal JsonObject? UpdateOrder(long orderId, OrderChanges changes, string v2Base)
    {
        JsonObject result;
        int previous, status;
        bool changed;
        List<(Variant Variant, long Location, int Delta)> moved = [];
        lock (_sync)
        {
            if (!_orders.TryGetValue(orderId, out var record))
            {
                return null;
            }

            var order = record.Order;
            previous = order.StatusId;
            status = changes.StatusId ?? previous;
            changed = status != previous
                || (changes.StaffNotes is { } notes && notes != order.StaffNotes)
                || (changes.CustomerMessage is { } message && message != order.CustomerMessage)
                || (changes.PaymentMethod is { } method && method != record.PaymentMethod)
                || (changes.ExternalId is { } external && external != record.ExternalId);
            order.StaffNotes = changes.StaffNotes ?? order.StaffNotes;
            order.CustomerMessage = changes.CustomerMessage ?? order.CustomerMessage;
            record.PaymentMethod = changes.PaymentMethod ?? record.PaymentMethod;
            record.ExternalId = changes.ExternalId ?? record.ExternalId;
            if (changed)
            {
                SetStatus(order, status);
                moved = MoveStockForStatus(record);
            }

            result = OrderShapes.Order(record, v2Base);
        }

        RaiseOrderInventory(moved);

        if (status != previous)
        {
            RaiseStatusChange(orderId, previous, status);
        }
        else if (changed)
        {
            Raise("store/order/updated", new JsonObject { ["type"] = "order", ["id"] = orderId });
        }

        return result;
    }

    /// <summary>
    /// <c>DELETE /v2/orders/{id}</c> archives the order (BigCommerce keeps it with <c>is_deleted</c>) and raises
    /// <c>store/order/archived</c>; false when there is no such order.
    /// </summary>
    internal bool ArchiveOrder(long orderId)
    {
        lock (_sync)
        {
            if (!_orders.TryGetValue(orderId, out var record))
            {
                return false;
            }

            if (record.Order.IsDeleted)
            {
                return true;
            }

            record.Order.IsDeleted = true;
            record.Order.DateModified = Now;
        }

        Raise("store/order/archived", new JsonObject { ["type"] = "order", ["id"] = orderId });
        return true;
    }

    /// <summary>Creates a shipment after checking its address and items; returns the error when they are not the order's.</summary>
    internal (JsonObject? Shipment, string? Error, bool NotFound) CreateShipment(long orderId, ShipmentRequest request)
    {
        Shipment shipment;
        int previous, status;
        List<(Variant Variant, long Location, int Delta)> taken;
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
                var line = record.Products.Select(p => p.Line).FirstOrDefault(p => p.Id == item.OrderProductId && p.OrderAddressId == address.Id);
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
                var line = record.Products.Select(p => p.Line).First(p => p.Id == item.OrderProductId);
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
            record.Order.ItemsShipped = record.Products.Sum(p => p.Line.QuantityShipped);
            previous = record.Order.StatusId;
            status = record.Order.ItemsShipped >= record.Order.ItemsTotal ? OrderStatuses.Shipped : OrderStatuses.PartiallyShipped;
            SetStatus(record.Order, status);
            if (status == OrderStatuses.Shipped)
            {
                record.Order.DateShipped = Now;
            }

            taken = MoveStockForStatus(record);
        }

        RaiseOrderInventory(taken);

        Raise("store/shipment/created", new JsonObject { ["type"] = "shipment", ["id"] = shipment.Id, ["orderId"] = orderId });
        if (previous != status)
        {
            RaiseStatusChange(orderId, previous, status);
        }

        lock (_sync)
        {
            return (OrderShapes.Shipment(shipment), null, false);
        }
    }

    /// <summary>
    /// <c>PUT /v2/orders/{id}/shipments/{shipment_id}</c>: the fields given change (items never do); raises
    /// <c>store/shipment/updated</c>. Null with no error when the order has no such shipment.
    /// </summary>
    internal (JsonObject? Shipment, string? Error) UpdateShipment(long orderId, long shipmentId, ShipmentChanges changes)
    {
        lock (_sync)
        {
            var shipment = _orders.TryGetValue(orderId, out var record) ? record.Shipments.FirstOrDefault(s => s.Id == shipmentId) : null;
            if (shipment is null)
            {
                return (null, null);
            }

            if (changes.OrderAddressId is { } address && address != shipment.OrderAddressId)
            {
                return (null, $"The emulator does not implement moving shipment {shipmentId} to another address (order_address_id {address}).");
            }

            shipment.TrackingNumber = changes.TrackingNumber ?? shipment.TrackingNumber;
            shipment.ShippingMethod = changes.ShippingMethod ?? shipment.ShippingMethod;
            shipment.ShippingProvider = changes.ShippingProvider ?? shipment.ShippingProvider;
            shipment.TrackingCarrier = changes.TrackingCarrier ?? shipment.TrackingCarrier;
            shipment.Comments = changes.Comments ?? shipment.Comments;
        }

        Raise("store/shipment/updated", new JsonObject { ["type"] = "shipment", ["id"] = shipmentId, ["orderId"] = orderId });
        lock (_sync)
        {
            return (OrderShapes.Shipment(_orders[orderId].Shipments.First(s => s.Id == shipmentId)), null);
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
        var products = new List<OrderProductRecord>();
        foreach (var (variantId, quantity) in lines)
        {
            var variant = CurrentVariant(variantId);
            var price = variant.CalculatedPrice ?? variant.Price ?? 0;
            products.Add(new OrderProductRecord(new OrderProduct
            {
                Id = _nextOrderProductId++, OrderId = id, ProductId = variant.ProductId, VariantId = variant.Id, OrderAddressId = shipping.Id,
                Name = $"Product {variant.ProductId}", Sku = variant.Sku, BasePrice = price, PriceExTax = price, PriceIncTax = price,
                TotalExTax = price * quantity, TotalIncTax = price * quantity, Quantity = quantity,
            }, variant.Weight ?? 0, variant.CostPrice ?? 0));
        }

        var subtotal = products.Sum(p => p.Line.TotalExTax);
        shipping.ItemsTotal = products.Sum(p => p.Line.Quantity);
        var order = new Order
        {
            Id = id, CustomerId = customerId, DateCreated = at, DateModified = at, StatusId = statusId, Status = OrderStatuses.Names[statusId],
            SubtotalExTax = subtotal, SubtotalIncTax = subtotal, ShippingCostIncTax = 0, TotalExTax = subtotal, TotalIncTax = subtotal,
            TotalTax = 0, ItemsTotal = shipping.ItemsTotal, PaymentStatus = "captured", BillingAddress = billing,
        };
        var record = new OrderRecord(order, products, [shipping]);
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

    private IEnumerable<OrderRecord> Matching(OrderFilter f)
    {
        var matching = _orders.Values.Where(r =>
        {
            var o = r.Order;
            return o.IsDeleted == f.IsDeleted
                && (f.MinId is null || o.Id >= f.MinId) && (f.MaxId is null || o.Id <= f.MaxId)
                && (f.CustomerId is null || o.CustomerId == f.CustomerId)
                && (f.Email is null || string.Equals(o.BillingAddress.Email, f.Email, StringComparison.OrdinalIgnoreCase))
                && (f.StatusId is null || o.StatusId == f.StatusId)
                && (f.MinCreated is null || o.DateCreated >= f.MinCreated) && (f.MaxCreated is null || o.DateCreated <= f.MaxCreated)
                && (f.MinModified is null || o.DateModified >= f.MinModified) && (f.MaxModified is null || o.DateModified <= f.MaxModified)
                && (f.MinTotal is null || o.TotalIncTax >= f.MinTotal) && (f.MaxTotal is null || o.TotalIncTax <= f.MaxTotal);
        });
        Func<OrderRecord, IComparable?> key = f.SortField switch
        {
            "date_created" => r => r.Order.DateCreated,
            "date_modified" => r => r.Order.DateModified,
            "status_id" => r => r.Order.StatusId,
            "customer_id" => r => r.Order.CustomerId,
            _ => r => r.Order.Id,
        };
        return f.Descending ? matching.OrderByDescending(key).ThenByDescending(r => r.Order.Id) : matching.OrderBy(key).ThenBy(r => r.Order.Id);
    }
}

/// <summary>A v2 order and what the emulator keeps about it beyond the client's model (refunds, payment, archive).</summary>
internal sealed class OrderRecord(Order order, List<OrderProductRecord> products, List<OrderShippingAddress> addresses)
{
    public Order Order { get; } = order;

    public List<OrderProductRecord> Products { get; } = products;

    public List<OrderShippingAddress> Addresses { get; } = addresses;

    public List<Shipment> Shipments { get; } = [];

    public List<RefundRecord> Refunds { get; } = [];

    public decimal RefundedAmount { get; set; }

    public string PaymentMethod { get; set; } = "Credit Card";

    public string? ExternalId { get; set; }

    public string OrderSource { get; set; } = "www";

    /// <summary>Whether the order holds units it took from stock (per the store's inventory settings).</summary>
    public bool StockTaken { get; set; }
}

/// <summary>An order line with the catalog facts copied when it was ordered and what was refunded of it.</summary>
internal sealed class OrderProductRecord(OrderProduct line, decimal weight, decimal costPrice)
{
    public OrderProduct Line { get; } = line;

    public decimal Weight { get; } = weight;

    public decimal CostPrice { get; } = costPrice;

    public int QuantityRefunded { get; set; }

    public decimal AmountRefunded { get; set; }

    /// <summary>Units given back to stock by refunds (inventory setting refund_order_stock_adjustment).</summary>
    public int QuantityRestocked { get; set; }
}

/// <summary>The <c>GET /v2/orders</c> filters the emulator implements (orders.v2.oas2.yml).</summary>
internal sealed record OrderFilter(
    long? MinId = null, long? MaxId = null, long? CustomerId = null, string? Email = null, int? StatusId = null,
    DateTimeOffset? MinCreated = null, DateTimeOffset? MaxCreated = null, DateTimeOffset? MinModified = null, DateTimeOffset? MaxModified = null,
    decimal? MinTotal = null, decimal? MaxTotal = null, bool IsDeleted = false, string SortField = "id", bool Descending = false);

/// <summary>The fields of <c>PUT /v2/orders/{id}</c> the emulator implements; null = leave unchanged.</summary>
internal sealed record OrderChanges(int? StatusId, string? StaffNotes, string? CustomerMessage, string? PaymentMethod, string? ExternalId);

/// <summary>What a <c>PUT /v2/orders/{id}/shipments/{shipment_id}</c> changes; null fields keep their value.</summary>
internal sealed record ShipmentChanges(long? OrderAddressId, string? TrackingNumber, string? ShippingMethod, string? ShippingProvider,
    string? TrackingCarrier, string? Comments);
