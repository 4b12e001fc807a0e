using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;

namespace Integration.BigCommerce.Emulator.Api.Shapes;

/// <summary>
/// Catalog resources as products_catalog.v3.yml (<c>product_Full</c>) and product-variants_catalog.v3.yml
/// (<c>productVariant_Full</c>) document them, every field present; sub-resources the emulator does not model
/// (images, custom fields, ...) are empty.
/// </summary>
internal static class CatalogShapes
{
    public static JsonObject Product(Product p, IReadOnlyList<Variant>? variants)
    {
        var product = new JsonObject
        {
            ["id"] = p.Id,
            ["name"] = p.Name,
            ["type"] = p.Type,
            ["sku"] = p.Sku,
            ["description"] = p.Description ?? string.Empty,
            ["weight"] = p.Weight,
            ["width"] = 0,
            ["depth"] = 0,
            ["height"] = 0,
            ["price"] = p.Price,
            ["cost_price"] = p.CostPrice,
            ["retail_price"] = p.RetailPrice,
            ["sale_price"] = p.SalePrice,
            ["map_price"] = 0,
            ["tax_class_id"] = 0,
            ["product_tax_code"] = string.Empty,
            ["calculated_price"] = p.CalculatedPrice,
            ["categories"] = new JsonArray([.. p.Categories.Select(c => (JsonNode)c)]),
            ["brand_id"] = 0,
            ["option_set_id"] = 0,
            ["option_set_display"] = "right",
            ["inventory_level"] = p.InventoryLevel,
            ["inventory_warning_level"] = 0,
            ["inventory_tracking"] = p.InventoryTracking,
            ["reviews_rating_sum"] = 0,
            ["reviews_count"] = 0,
            ["total_sold"] = 0,
            ["fixed_cost_shipping_price"] = 0,
            ["is_free_shipping"] = false,
            ["is_visible"] = p.IsVisible,
            ["is_featured"] = false,
            ["related_products"] = new JsonArray(-1),
            ["warranty"] = string.Empty,
            ["bin_picking_number"] = string.Empty,
            ["layout_file"] = "product.html",
            ["upc"] = string.Empty,
            ["mpn"] = string.Empty,
            ["gtin"] = string.Empty,
            ["date_last_imported"] = string.Empty,
            ["search_keywords"] = string.Empty,
            ["availability"] = "available",
            ["availability_description"] = string.Empty,
            ["gift_wrapping_options_type"] = "any",
            ["gift_wrapping_options_list"] = new JsonArray(),
            ["sort_order"] = 0,
            ["condition"] = "New",
            ["is_condition_shown"] = false,
            ["order_quantity_minimum"] = 0,
            ["order_quantity_maximum"] = 0,
            ["page_title"] = string.Empty,
            ["meta_keywords"] = new JsonArray(),
            ["meta_description"] = string.Empty,
            ["date_created"] = Json.V3Date(p.DateCreated),
            ["date_modified"] = Json.V3Date(p.DateModified),
            ["view_count"] = 0,
            ["preorder_release_date"] = null,
            ["preorder_message"] = string.Empty,
            ["is_preorder_only"] = false,
            ["is_price_hidden"] = false,
            ["price_hidden_label"] = string.Empty,
            ["custom_url"] = new JsonObject { ["url"] = $"/product-{p.Id}/", ["is_customized"] = false },
            ["base_variant_id"] = p.BaseVariantId,
            ["open_graph_type"] = "product",
            ["open_graph_title"] = string.Empty,
            ["open_graph_description"] = string.Empty,
            ["open_graph_use_meta_description"] = true,
            ["open_graph_use_product_name"] = true,
            ["open_graph_use_image"] = true,
        };
        if (variants is not null)
        {
            product["variants"] = new JsonArray([.. variants.Select(v => (JsonNode)Variant(v))]);
        }

        return product;
    }

    public static JsonObject Variant(Variant v) => new()
    {
        ["id"] = v.Id,
        ["product_id"] = v.ProductId,
        ["sku"] = v.Sku,
        ["sku_id"] = v.SkuId,
        ["price"] = v.Price,
        ["calculated_price"] = v.CalculatedPrice,
        ["sale_price"] = v.SalePrice,
        ["retail_price"] = v.RetailPrice,
        ["map_price"] = null,
        ["weight"] = v.Weight,
        ["calculated_weight"] = v.Weight ?? 0,
        ["width"] = null,
        ["height"] = null,
        ["depth"] = null,
        ["is_free_shipping"] = false,
        ["fixed_cost_shipping_price"] = null,
        ["purchasing_disabled"] = v.PurchasingDisabled,
        ["purchasing_disabled_message"] = string.Empty,
        ["image_url"] = string.Empty,
        ["cost_price"] = v.CostPrice,
        ["upc"] = v.Upc ?? string.Empty,
        ["mpn"] = string.Empty,
        ["gtin"] = string.Empty,
        ["inventory_level"] = v.InventoryLevel,
        ["inventory_warning_level"] = 0,
        ["bin_picking_number"] = string.Empty,
        ["option_values"] = new JsonArray([.. v.OptionValues.Select(o => (JsonNode)new JsonObject
        {
            ["id"] = o.Id, ["label"] = o.Label, ["option_id"] = o.OptionId, ["option_display_name"] = o.OptionDisplayName,
        })]),
    };

    /// <summary><c>include_fields</c>: only the named fields (and <c>id</c>, which BigCommerce always returns) are kept.</summary>
    public static JsonObject Project(JsonObject resource, IReadOnlyCollection<string>? fields)
    {
        if (fields is null)
        {
            return resource;
        }

        foreach (var key in resource.Select(p => p.Key).Where(k => k != "id" && k != "variants" && !fields.Contains(k)).ToList())
        {
            resource.Remove(key);
        }

        return resource;
    }
}
