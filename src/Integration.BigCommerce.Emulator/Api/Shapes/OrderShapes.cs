using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator.State;

namespace Integration.BigCommerce.Emulator.Api.Shapes;

/// <summary>
/// The v2 order resources as BigCommerce documents them (orders.v2.oas2.yml <c>order_Resp</c>, <c>orderProducts</c>,
/// <c>orderShippingAddress</c>, <c>orderShipment</c>), including the fields the hub's client does not model, and the
/// v3 refund (orders.v3.yml <c>Refund</c>). Built from the store's records under its lock.
/// </summary>
internal static class OrderShapes
{
    public static JsonObject Order(OrderRecord record, string v2Base)
    {
        var o = record.Order;
        var link = $"/orders/{o.Id}";
        var shippingCost = o.ShippingCostIncTax;
        return new JsonObject
        {
            ["id"] = o.Id,
            ["customer_id"] = o.CustomerId,
            ["date_created"] = Json.V2Date(o.DateCreated),
            ["date_modified"] = Json.V2Date(o.DateModified),
            ["date_shipped"] = Json.V2Date(o.DateShipped),
            ["status_id"] = o.StatusId,
            ["status"] = o.Status,
            ["custom_status"] = o.Status,
            ["subtotal_ex_tax"] = Json.Money(o.SubtotalExTax),
            ["subtotal_inc_tax"] = Json.Money(o.SubtotalIncTax),
            ["subtotal_tax"] = Json.Money(o.SubtotalIncTax - o.SubtotalExTax),
            ["base_shipping_cost"] = Json.Money(shippingCost),
            ["shipping_cost_ex_tax"] = Json.Money(shippingCost),
            ["shipping_cost_inc_tax"] = Json.Money(shippingCost),
            ["shipping_cost_tax"] = Json.Money(0),
            ["shipping_cost_tax_class_id"] = 2,
            ["base_handling_cost"] = Json.Money(0),
            ["handling_cost_ex_tax"] = Json.Money(0),
            ["handling_cost_inc_tax"] = Json.Money(0),
            ["handling_cost_tax"] = Json.Money(0),
            ["handling_cost_tax_class_id"] = 2,
            ["base_wrapping_cost"] = Json.Money(0),
            ["wrapping_cost_ex_tax"] = Json.Money(0),
            ["wrapping_cost_inc_tax"] = Json.Money(0),
            ["wrapping_cost_tax"] = Json.Money(0),
            ["wrapping_cost_tax_class_id"] = 3,
            ["total_ex_tax"] = Json.Money(o.TotalExTax),
            ["total_inc_tax"] = Json.Money(o.TotalIncTax),
            ["total_tax"] = Json.Money(o.TotalTax),
            ["items_total"] = o.ItemsTotal,
            ["items_shipped"] = o.ItemsShipped,
            ["payment_method"] = record.PaymentMethod,
            ["payment_provider_id"] = string.Empty,
            ["payment_status"] = o.PaymentStatus,
            ["refunded_amount"] = Json.Money(record.RefundedAmount),
            ["order_is_digital"] = false,
            ["store_credit_amount"] = Json.Money(0),
            ["gift_certificate_amount"] = Json.Money(0),
            ["ip_address"] = "127.0.0.1",
            ["ip_address_v6"] = string.Empty,
            ["geoip_country"] = o.BillingAddress.Country,
            ["geoip_country_iso2"] = o.BillingAddress.CountryIso2,
            ["currency_id"] = 1,
            ["currency_code"] = o.CurrencyCode,
            ["currency_exchange_rate"] = "1.0000000000",
            ["default_currency_id"] = 1,
            ["default_currency_code"] = o.CurrencyCode,
            ["store_default_currency_code"] = o.CurrencyCode,
            ["store_default_to_transactional_exchange_rate"] = "1.0000000000",
            ["staff_notes"] = o.StaffNotes,
            ["customer_message"] = o.CustomerMessage,
            ["discount_amount"] = Json.Money(0),
            ["coupon_discount"] = Json.Money(0),
            ["shipping_address_count"] = record.Addresses.Count,
            ["is_deleted"] = o.IsDeleted,
            ["is_tax_inclusive_pricing"] = false,
            ["is_email_opt_in"] = false,
            ["ebay_order_id"] = "0",
            ["cart_id"] = string.Empty,
            ["billing_address"] = Address(o.BillingAddress),
            ["credit_card_type"] = null,
            ["order_source"] = record.OrderSource,
            ["channel_id"] = o.ChannelId,
            ["external_source"] = string.Empty,
            ["external_id"] = record.ExternalId,
            ["external_merchant_id"] = string.Empty,
            ["external_order_id"] = string.Empty,
            ["tax_provider_id"] = "BasicTaxProvider",
            ["customer_locale"] = "en",
            ["products"] = Resource(v2Base, link + "/products"),
            ["shipping_addresses"] = Resource(v2Base, link + "/shipping_addresses"),
            ["coupons"] = Resource(v2Base, link + "/coupons"),
        };
    }

    public static JsonObject Product(OrderProductRecord line)
    {
        var p = line.Line;
        var tax = p.PriceIncTax - p.PriceExTax;
        return new JsonObject
        {
            ["id"] = p.Id,
            ["order_id"] = p.OrderId,
            ["product_id"] = p.ProductId,
            ["variant_id"] = p.VariantId,
            ["order_pickup_method_id"] = 0,
            ["order_address_id"] = p.OrderAddressId,
            ["name"] = p.Name,
            ["name_customer"] = p.Name,
            ["name_merchant"] = p.Name,
            ["sku"] = p.Sku,
            ["upc"] = string.Empty,
            ["type"] = p.Type,
            ["base_price"] = Json.Money(p.BasePrice),
            ["price_ex_tax"] = Json.Money(p.PriceExTax),
            ["price_inc_tax"] = Json.Money(p.PriceIncTax),
            ["price_tax"] = Json.Money(tax),
            ["base_total"] = Json.Money(p.BasePrice * p.Quantity),
            ["total_ex_tax"] = Json.Money(p.TotalExTax),
            ["total_inc_tax"] = Json.Money(p.TotalIncTax),
            ["total_tax"] = Json.Money(p.TotalIncTax - p.TotalExTax),
            ["discounted_total_inc_tax"] = Json.Money(p.TotalIncTax),
            ["weight"] = line.Weight,
            ["width"] = Json.Money(0),
            ["height"] = Json.Money(0),
            ["depth"] = Json.Money(0),
            ["quantity"] = p.Quantity,
            ["base_cost_price"] = Json.Money(line.CostPrice),
            ["cost_price_inc_tax"] = Json.Money(line.CostPrice),
            ["cost_price_ex_tax"] = Json.Money(line.CostPrice),
            ["cost_price_tax"] = Json.Money(0),
            ["is_refunded"] = line.QuantityRefunded > 0 || line.AmountRefunded > 0,
            ["quantity_refunded"] = line.QuantityRefunded,
            ["refund_amount"] = Json.Money(line.AmountRefunded),
            ["return_id"] = 0,
            ["wrapping_id"] = 0,
            ["wrapping_name"] = string.Empty,
            ["base_wrapping_cost"] = Json.Money(0),
            ["wrapping_cost_ex_tax"] = Json.Money(0),
            ["wrapping_cost_inc_tax"] = Json.Money(0),
            ["wrapping_cost_tax"] = Json.Money(0),
            ["wrapping_message"] = string.Empty,
            ["quantity_shipped"] = p.QuantityShipped,
            ["event_name"] = null,
            ["fixed_shipping_cost"] = Json.Money(0),
            ["ebay_item_id"] = string.Empty,
            ["ebay_transaction_id"] = string.Empty,
            ["option_set_id"] = null,
            ["parent_order_product_id"] = null,
            ["is_bundled_product"] = false,
            ["bin_picking_number"] = string.Empty,
            ["external_id"] = null,
            ["brand"] = string.Empty,
            ["gift_certificate_id"] = null,
            ["applied_discounts"] = new JsonArray(),
            ["product_options"] = new JsonArray(),
            ["configurable_fields"] = new JsonArray(),
        };
    }

    /// <summary>A shipping address: the address's fields (as on the billing address) with its id, items and cost.</summary>
    public static JsonObject ShippingAddress(OrderShippingAddress a, decimal cost, string v2Base)
    {
        var shape = Address(a);
        shape["id"] = a.Id;
        shape["order_id"] = a.OrderId;
        shape["items_total"] = a.ItemsTotal;
        shape["items_shipped"] = a.ItemsShipped;
        shape["shipping_method"] = a.ShippingMethod;
        shape["base_cost"] = Json.Money(cost);
        shape["cost_ex_tax"] = Json.Money(cost);
        shape["cost_inc_tax"] = Json.Money(cost);
        shape["cost_tax"] = Json.Money(0);
        shape["cost_tax_class_id"] = 2;
        shape["base_handling_cost"] = Json.Money(0);
        shape["handling_cost_ex_tax"] = Json.Money(0);
        shape["handling_cost_inc_tax"] = Json.Money(0);
        shape["handling_cost_tax"] = Json.Money(0);
        shape["handling_cost_tax_class_id"] = 2;
        shape["shipping_zone_id"] = 1;
        shape["shipping_zone_name"] = "United States";
        shape["shipping_quotes"] = Resource(v2Base, $"/orders/{a.OrderId}/shipping_addresses/{a.Id}/shipping_quotes");
        return shape;
    }

    /// <summary>
    /// <c>consignments</c> in the object structure (<c>orderConsignment_Get</c>): one shipping consignment per shipping
    /// address (its id is the address's id), with the address, its costs, and its line items — the order products
    /// shipped there, as <c>/products</c> shows them, when <paramref name="lineItems"/>, else their resource links. The
    /// emulator's orders have no pickup, digital or gift-certificate lines: those lists are empty.
    /// </summary>
    public static JsonObject Consignments(OrderRecord record, bool lineItems, string v2Base)
    {
        var orderId = record.Order.Id;
        var cost = record.Order.ShippingCostIncTax;
        return new JsonObject
        {
            ["pickups"] = new JsonArray(),
            ["shipping"] = new JsonArray([.. record.Addresses.Select(a =>
            {
                var shape = Address(a);
                shape.Remove("form_fields");
                var consignment = new JsonObject { ["id"] = a.Id };
                foreach (var (name, value) in shape)
                {
                    consignment[name] = value?.DeepClone();
                }

                consignment["form_fields"] = new JsonArray();
                consignment["shipping_method"] = a.ShippingMethod;
                consignment["line_items"] = new JsonArray([.. record.Products.Where(p => p.Line.OrderAddressId == a.Id)
                    .Select(p => lineItems ? Product(p) : (JsonNode)Resource(v2Base, $"/orders/{orderId}/products/{p.Line.Id}"))]);
                consignment["items_total"] = a.ItemsTotal;
                consignment["items_shipped"] = a.ItemsShipped;
                consignment["base_cost"] = cost;
                consignment["cost_ex_tax"] = cost;
                consignment["cost_inc_tax"] = cost;
                consignment["cost_tax"] = 0;
                consignment["cost_tax_class_id"] = 2;
                consignment["base_handling_cost"] = 0;
                consignment["handling_cost_ex_tax"] = 0;
                consignment["handling_cost_inc_tax"] = 0;
                consignment["handling_cost_tax"] = 0;
                consignment["handling_cost_tax_class_id"] = 2;
                consignment["shipping_zone_id"] = 1;
                consignment["shipping_zone_name"] = "United States";
                consignment["shipping_quotes"] = Resource(v2Base, $"/orders/{orderId}/consignments/shipping/{a.Id}/shipping_quotes");
                return (JsonNode)consignment;
            })]),
            ["downloads"] = new JsonArray(),
            ["email"] = new JsonObject { ["gift_certificates"] = new JsonArray() },
        };
    }

    public static JsonObject Shipment(Shipment s) => new()
    {
        ["id"] = s.Id,
        ["order_id"] = s.OrderId,
        ["customer_id"] = s.CustomerId,
        ["order_address_id"] = s.OrderAddressId,
        ["date_created"] = Json.V2Date(s.DateCreated),
        ["tracking_number"] = s.TrackingNumber,
        ["merchant_shipping_cost"] = Json.Money(0),
        ["shipping_method"] = s.ShippingMethod,
        ["shipping_provider"] = s.ShippingProvider ?? string.Empty,
        ["tracking_carrier"] = s.TrackingCarrier,
        ["tracking_link"] = string.Empty,
        ["comments"] = s.Comments,
        ["billing_address"] = Address(s.BillingAddress),
        ["shipping_address"] = Address(s.ShippingAddress),
        ["items"] = new JsonArray([.. s.Items.Select(i => (JsonNode)new JsonObject
        {
            ["order_product_id"] = i.OrderProductId, ["product_id"] = i.ProductId, ["quantity"] = i.Quantity,
        })]),
    };

    public static JsonObject Refund(RefundRecord r) => new()
    {
        ["id"] = r.Id,
        ["order_id"] = r.OrderId,
        ["user_id"] = 0,
        ["created"] = Json.V3Date(r.Created),
        ["reason"] = r.Reason,
        ["total_amount"] = r.TotalAmount,
        ["total_tax"] = 0,
        ["uses_merchant_override_values"] = false,
        ["items"] = new JsonArray([.. r.Items.Select(RefundItem)]),
        ["payments"] = new JsonArray([.. r.Payments.Select(p => (JsonNode)new JsonObject
        {
            ["id"] = p.Id, ["provider_id"] = p.ProviderId, ["amount"] = p.Amount, ["offline"] = p.Offline, ["is_declined"] = false, ["declined_message"] = string.Empty,
        })]),
    };

    private static JsonNode RefundItem(RefundItemRecord i)
    {
        var item = new JsonObject { ["item_type"] = i.ItemType, ["item_id"] = i.ItemId, ["reason"] = i.Reason ?? string.Empty, ["requested_amount"] = i.Amount };
        if (i.Quantity is { } quantity)
        {
            item["quantity"] = quantity; // documented for PRODUCT items only
        }

        return item;
    }

    /// <summary>An order address as v2 shows it on the order, on a shipment, and as the base of a shipping address.</summary>
    private static JsonObject Address(OrderAddress a) => new()
    {
        ["first_name"] = a.FirstName,
        ["last_name"] = a.LastName,
        ["company"] = a.Company,
        ["street_1"] = a.Street1,
        ["street_2"] = a.Street2,
        ["city"] = a.City,
        ["state"] = a.State,
        ["zip"] = a.Zip,
        ["country"] = a.Country,
        ["country_iso2"] = a.CountryIso2,
        ["phone"] = a.Phone,
        ["email"] = a.Email,
        ["form_fields"] = new JsonArray(),
    };

    private static JsonObject Resource(string v2Base, string resource) => new() { ["url"] = v2Base + resource, ["resource"] = resource };
}
