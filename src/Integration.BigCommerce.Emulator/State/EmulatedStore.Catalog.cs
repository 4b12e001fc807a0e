using System.Globalization;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;

namespace Integration.BigCommerce.Emulator.State;

// The seeded catalog is generated from ids on demand; only changed products, variants and stock levels are stored.
public sealed partial class EmulatedStore
{
    private static readonly DateTimeOffset SeedEpoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly SeedOptions _seed;
    private readonly Dictionary<long, Product> _productChanges = [];
    private readonly Dictionary<long, Variant> _variantChanges = [];
    private readonly Dictionary<(long Variant, long Location), int> _stockChanges = [];
    private readonly Dictionary<string, long> _renamedProductSkus = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _renamedVariantSkus = new(StringComparer.Ordinal);
    private readonly HashSet<string> _retiredSkus = new(StringComparer.Ordinal);
    private Location[] _locations = [];
    private long _transactions;

    public int ProductCount => _seed.Products;

    private int VariantsPerProduct => Math.Max(1, _seed.VariantsPerProduct);

    internal IReadOnlyList<Location> Locations => _locations;

    private void SeedCatalog(SeedOptions seed)
    {
        _locations = [.. Enumerable.Range(1, Math.Max(1, seed.Locations)).Select(i => new Location(i, $"LOC{i}", i == 1 ? "Default location" : $"Warehouse {i}"))];
    }

    internal Product? GetProduct(long id, bool includeVariants)
    {
        lock (_sync)
        {
            return id >= 1 && id <= ProductCount ? Snapshot(id, includeVariants) : null;
        }
    }

    internal (List<Product> Items, int Total) QueryProducts(
        IReadOnlyCollection<long>? ids, IReadOnlyCollection<string>? skus, DateTimeOffset? modifiedMin, bool includeVariants, int page, int limit)
    {
        lock (_sync)
        {
            IEnumerable<long> candidates;
            if (ids is not null)
            {
                candidates = ids.Where(i => i >= 1 && i <= ProductCount).Distinct().Order();
            }
            else if (skus is not null)
            {
                candidates = skus.Select(ProductIdBySku).Where(i => i > 0).Distinct().Order();
            }
            else if (modifiedMin is null)
            {
                // The common case (a full stream): slice the id range without touching other products.
                var from = ((long)(page - 1) * limit) + 1;
                var items = new List<Product>(limit);
                for (var id = from; id < from + limit && id <= ProductCount; id++)
                {
                    items.Add(Snapshot(id, includeVariants));
                }

                return (items, ProductCount);
            }
            else
            {
                candidates = LongRange(1, ProductCount);
            }

            if (modifiedMin is { } min)
            {
                candidates = candidates.Where(i => ModifiedAt(i) >= min);
            }

            var matching = candidates.ToList();
            return ([.. matching.Skip((page - 1) * limit).Take(limit).Select(i => Snapshot(i, includeVariants))], matching.Count);
        }
    }

    /// <summary>Applies the valid updates; returns the applied products and an error per rejected product id.</summary>
    internal (List<Product> Applied, Dictionary<long, string> Errors) UpdateProducts(IList<ProductUpdate> updates)
    {
        var applied = new List<Product>();
        var errors = new Dictionary<long, string>();
        lock (_sync)
        {
            foreach (var update in updates)
            {
                var error = ValidateProduct(update);
                if (error is not null)
                {
                    errors[update.Id] = error;
                    continue;
                }

                var product = _productChanges.TryGetValue(update.Id, out var changed) ? changed : Generate(update.Id);
                if (update.Sku is { } sku && sku != product.Sku)
                {
                    product.Sku = Rename(_renamedProductSkus, product.Sku, sku, product.Id);
                }

                product.Name = update.Name ?? product.Name;
                product.Description = update.Description ?? product.Description;
                product.Weight = update.Weight ?? product.Weight;
                product.Price = update.Price ?? product.Price;
                product.CostPrice = update.CostPrice ?? product.CostPrice;
                product.RetailPrice = update.RetailPrice ?? product.RetailPrice;
                product.SalePrice = update.SalePrice ?? product.SalePrice;
                product.CalculatedPrice = product.SalePrice > 0 ? product.SalePrice : product.Price;
                product.IsVisible = update.IsVisible ?? product.IsVisible;
                product.DateModified = Now;
                _productChanges[product.Id] = product;
                applied.Add(Snapshot(product.Id, includeVariants: false));
            }
        }

        foreach (var product in applied)
        {
            Raise("store/product/updated", new JsonObject { ["type"] = "product", ["id"] = product.Id });
        }

        return (applied, errors);
    }

    /// <summary>All or nothing, like BigCommerce's variant batch: any invalid item rejects the batch.</summary>
    internal (List<Variant> Applied, Dictionary<long, string> Errors) UpdateVariants(IList<VariantUpdate> updates)
    {
        var applied = new List<Variant>();
        var errors = new Dictionary<long, string>();
        lock (_sync)
        {
            foreach (var update in updates)
            {
                if (ValidateVariant(update) is { } error)
                {
                    errors[update.Id] = error;
                }
            }

            if (errors.Count > 0)
            {
                return (applied, errors);
            }

            foreach (var update in updates)
            {
                var variant = CurrentVariant(update.Id);
                if (update.Sku is { } sku && sku != variant.Sku)
                {
                    variant.Sku = Rename(_renamedVariantSkus, variant.Sku, sku, variant.Id);
                }

                variant.Price = update.Price ?? variant.Price;
                variant.CostPrice = update.CostPrice ?? variant.CostPrice;
                variant.RetailPrice = update.RetailPrice ?? variant.RetailPrice;
                variant.SalePrice = update.SalePrice ?? variant.SalePrice;
                variant.CalculatedPrice = variant.SalePrice is > 0 ? variant.SalePrice : variant.Price;
                variant.Weight = update.Weight ?? variant.Weight;
                variant.PurchasingDisabled = update.PurchasingDisabled ?? variant.PurchasingDisabled;
                variant.Upc = update.Upc ?? variant.Upc;
                _variantChanges[variant.Id] = variant;
                Touch(variant.ProductId);
                applied.Add(WithStock(variant));
            }
        }

        foreach (var variant in applied)
        {
            Raise("store/sku/updated", SkuData(variant));
        }

        return (applied, errors);
    }

    internal (List<InventoryItem> Items, int Total) QueryInventory(
        IReadOnlyCollection<string>? skus, IReadOnlyCollection<long>? variantIds, IReadOnlyCollection<long>? locationIds, int page, int limit)
    {
        lock (_sync)
        {
            var variantCount = (long)ProductCount * VariantsPerProduct;
            IEnumerable<long> candidates = variantIds is not null
                ? variantIds.Where(v => v >= 1 && v <= variantCount).Distinct().Order()
                : skus is not null
                    ? skus.Select(VariantIdBySku).Where(v => v > 0).Distinct().Order()
                    : LongRange(1, variantCount);
            var locations = locationIds is null ? _locations : [.. _locations.Where(l => locationIds.Contains(l.Id))];
            var matching = candidates.ToList();
            var items = matching.Skip((page - 1) * limit).Take(limit).Select(v =>
            {
                var variant = CurrentVariant(v);
                return new InventoryItem
                {
                    Identity = new InventoryIdentity { Sku = variant.Sku, VariantId = v, ProductId = variant.ProductId, SkuId = variant.SkuId ?? 0 },
                    Locations = [.. locations.Select(l =>
                    {
                        var stock = Stock(v, l.Id);
                        return new LocationInventory
                        {
                            LocationId = l.Id, LocationCode = l.Code, LocationName = l.Name, AvailableToSell = stock,
                            TotalInventoryOnhand = stock, LocationEnabled = true,
                            Settings = new LocationInventorySettings { SafetyStock = 0, IsInStock = stock > 0, WarningLevel = 0, BinPickingNumber = string.Empty },
                        };
                    })],
                };
            }).ToList();
            return (items, matching.Count);
        }
    }

    /// <summary>Absolute adjustments: all items are validated first; returns an error per item index, or the transaction id.</summary>
    internal (string? TransactionId, Dictionary<string, string> Errors) AdjustAbsolute(IList<InventoryLevel> items)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var changed = new List<(Variant Variant, int Quantity)>();
        string transaction;
        lock (_sync)
        {
            var resolved = new List<(long Variant, long Location, int Quantity)>();
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                var key = $"items.{i}";
                var variantId = item.VariantId ?? (item.Sku is { } sku ? VariantIdBySku(sku) : 0);
                if (variantId <= 0 || variantId > (long)ProductCount * VariantsPerProduct)
                {
                    errors[key] = item.Sku is not null ? $"SKU '{item.Sku}' does not exist." : $"Variant {item.VariantId} does not exist.";
                }
                else if (_locations.All(l => l.Id != item.LocationId))
                {
                    errors[key] = $"Location {item.LocationId} does not exist.";
                }
                else if (item.Quantity < 0)
                {
                    errors[key] = "Quantity must be 0 or more.";
                }
                else
                {
                    resolved.Add((variantId, item.LocationId, item.Quantity));
                }
            }

            if (errors.Count > 0)
            {
                return (null, errors);
            }

            foreach (var (variantId, location, quantity) in resolved)
            {
                if (Stock(variantId, location) == quantity)
                {
                    continue;
                }

                _stockChanges[(variantId, location)] = quantity;
                var variant = WithStock(CurrentVariant(variantId));
                changed.Add((variant, variant.InventoryLevel));
            }

            transaction = Guid.CreateVersion7(Now).ToString();
            _transactions++;
        }

        foreach (var (variant, level) in changed)
        {
            var data = SkuData(variant);
            data["inventory"] = new JsonObject { ["product_id"] = variant.ProductId, ["method"] = "absolute", ["value"] = level, ["variant_id"] = variant.Id };
            Raise("store/sku/inventory/updated", data);
        }

        return (transaction, errors);
    }

    internal Variant? VariantForOrder(long variantId)
    {
        lock (_sync)
        {
            return variantId >= 1 && variantId <= (long)ProductCount * VariantsPerProduct ? CurrentVariant(variantId) : null;
        }
    }

    private string? ValidateProduct(ProductUpdate update)
    {
        if (update.Id < 1 || update.Id > ProductCount)
        {
            return $"Product {update.Id} does not exist.";
        }

        if (update.Name is { } name && string.IsNullOrWhiteSpace(name))
        {
            return "name must not be empty.";
        }

        if (update.Price is < 0 || update.SalePrice is < 0 || update.CostPrice is < 0 || update.RetailPrice is < 0)
        {
            return "Prices must be 0 or more.";
        }

        if (update.Sku is { } sku && (sku.Length is 0 or > 255 || (ProductIdBySku(sku) is var owner && owner > 0 && owner != update.Id)))
        {
            return $"sku '{sku}' is empty, too long or used by another product.";
        }

        return null;
    }

    private string? ValidateVariant(VariantUpdate update)
    {
        if (update.Id < 1 || update.Id > (long)ProductCount * VariantsPerProduct)
        {
            return $"Variant {update.Id} does not exist.";
        }

        if (update.Price is < 0 || update.SalePrice is < 0 || update.CostPrice is < 0 || update.RetailPrice is < 0)
        {
            return "Prices must be 0 or more.";
        }

        if (update.Sku is { } sku && (sku.Length is 0 or > 255 || (VariantIdBySku(sku) is var owner && owner > 0 && owner != update.Id)))
        {
            return $"sku '{sku}' is empty, too long or used by another variant.";
        }

        return null;
    }

    /// <summary>Seeded SKUs are parsed from their text; a renamed one is retired and its new text mapped to the id.</summary>
    private string Rename(Dictionary<string, long> renamed, string oldSku, string newSku, long id)
    {
        _retiredSkus.Add(oldSku);
        _retiredSkus.Remove(newSku);
        renamed.Remove(oldSku);
        renamed[newSku] = id;
        return newSku;
    }

    private void Touch(long productId)
    {
        var product = _productChanges.TryGetValue(productId, out var changed) ? changed : Generate(productId);
        product.DateModified = Now;
        _productChanges[productId] = product;
    }

    private DateTimeOffset ModifiedAt(long productId) =>
        _productChanges.TryGetValue(productId, out var changed) ? changed.DateModified : SeedEpoch.AddSeconds(productId);

    private Product Snapshot(long id, bool includeVariants)
    {
        var source = _productChanges.TryGetValue(id, out var changed) ? changed : Generate(id);
        var variants = new List<Variant>(VariantsPerProduct);
        for (var k = 1; k <= VariantsPerProduct; k++)
        {
            variants.Add(WithStock(CurrentVariant(VariantId(id, k))));
        }

        return new Product
        {
            Id = source.Id, Name = source.Name, Type = source.Type, Sku = source.Sku, Description = source.Description,
            Weight = source.Weight, Price = source.Price, CostPrice = source.CostPrice, RetailPrice = source.RetailPrice,
            SalePrice = source.SalePrice, CalculatedPrice = source.CalculatedPrice, Categories = source.Categories,
            InventoryLevel = variants.Sum(v => v.InventoryLevel), InventoryTracking = source.InventoryTracking,
            IsVisible = source.IsVisible, BaseVariantId = source.BaseVariantId, DateCreated = source.DateCreated,
            DateModified = source.DateModified, Variants = includeVariants ? variants : null,
        };
    }

    private Product Generate(long id)
    {
        var price = Seeded.Money(_seed.RandomSeed, id, 1, 500, 20_000);
        return new Product
        {
            Id = id,
            Name = $"Product {id}",
            Sku = $"SKU-{id:D6}",
            Description = $"<p>Seeded product {id}.</p>",
            Weight = 0.1m + (Seeded.Int(_seed.RandomSeed, id, 2, 50) / 10m),
            Price = price,
            CostPrice = Math.Round(price * 0.6m, 2),
            RetailPrice = 0,
            SalePrice = 0,
            CalculatedPrice = price,
            Categories = [1 + (id % 20)],
            InventoryTracking = "variant",
            IsVisible = true,
            BaseVariantId = VariantId(id, 1),
            DateCreated = SeedEpoch.AddSeconds(id),
            DateModified = SeedEpoch.AddSeconds(id),
        };
    }

    private Variant CurrentVariant(long variantId)
    {
        if (_variantChanges.TryGetValue(variantId, out var changed))
        {
            return changed;
        }

        var productId = ((variantId - 1) / VariantsPerProduct) + 1;
        var k = (int)((variantId - 1) % VariantsPerProduct) + 1;
        var productPrice = Seeded.Money(_seed.RandomSeed, productId, 1, 500, 20_000);
        var price = productPrice + k - 1;
        return new Variant
        {
            Id = variantId,
            ProductId = productId,
            Sku = $"SKU-{productId:D6}-{k}",
            SkuId = 1_000_000 + variantId,
            Price = price,
            CostPrice = Math.Round(price * 0.6m, 2),
            RetailPrice = 0,
            SalePrice = 0,
            CalculatedPrice = price,
            Weight = 0.1m + (Seeded.Int(_seed.RandomSeed, productId, 2, 50) / 10m),
            PurchasingDisabled = false,
            Upc = string.Empty,
            OptionValues = [new VariantOptionValue { Id = k, Label = $"Size {k}", OptionId = 1, OptionDisplayName = "Size" }],
        };
    }

    private Variant WithStock(Variant v) => new()
    {
        Id = v.Id, ProductId = v.ProductId, Sku = v.Sku, SkuId = v.SkuId, Price = v.Price, CostPrice = v.CostPrice,
        RetailPrice = v.RetailPrice, SalePrice = v.SalePrice, CalculatedPrice = v.CalculatedPrice, Weight = v.Weight,
        PurchasingDisabled = v.PurchasingDisabled, Upc = v.Upc, OptionValues = v.OptionValues,
        InventoryLevel = _locations.Sum(l => Stock(v.Id, l.Id)),
    };

    private int Stock(long variantId, long locationId) =>
        _stockChanges.TryGetValue((variantId, locationId), out var quantity) ? quantity : Seeded.Int(_seed.RandomSeed, variantId, 100 + locationId, 100);

    private long VariantId(long productId, int k) => ((productId - 1) * VariantsPerProduct) + k;

    private long ProductIdBySku(string sku)
    {
        if (_renamedProductSkus.TryGetValue(sku, out var id))
        {
            return id;
        }

        return !_retiredSkus.Contains(sku) && sku.Length == 10 && sku.StartsWith("SKU-", StringComparison.Ordinal)
            && long.TryParse(sku.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out id) && id >= 1 && id <= ProductCount
            ? id
            : 0;
    }

    private long VariantIdBySku(string sku)
    {
        if (_renamedVariantSkus.TryGetValue(sku, out var id))
        {
            return id;
        }

        // SKU-000123-2
        if (_retiredSkus.Contains(sku) || sku.Length < 12 || !sku.StartsWith("SKU-", StringComparison.Ordinal) || sku[10] != '-'
            || !long.TryParse(sku.AsSpan(4, 6), NumberStyles.None, CultureInfo.InvariantCulture, out var productId)
            || !int.TryParse(sku.AsSpan(11), NumberStyles.None, CultureInfo.InvariantCulture, out var k)
            || productId < 1 || productId > ProductCount || k < 1 || k > VariantsPerProduct)
        {
            return 0;
        }

        return VariantId(productId, k);
    }

    private static JsonObject SkuData(Variant variant) => new()
    {
        ["type"] = "sku",
        ["id"] = variant.SkuId,
        ["sku"] = new JsonObject { ["product_id"] = variant.ProductId, ["variant_id"] = variant.Id },
    };

    private static IEnumerable<long> LongRange(long from, long to)
    {
        for (var i = from; i <= to; i++)
        {
            yield return i;
        }
    }
}

internal sealed record Location(long Id, string Code, string Name);
