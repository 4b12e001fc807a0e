using System.Globalization;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Client;
using Integration.BigCommerce.Emulator.Api.Shapes;

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
    private readonly Dictionary<string, long> _renamedNames = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _retiredNames = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<long, int> _createdVariantCounts = [];
    private readonly HashSet<long> _deletedProducts = [];
    private Location[] _locations = [];
    private long _transactions;
    private long _lastProductId;

    /// <summary>Products in the store: the seeded ones, plus those created, less those deleted.</summary>
    public int ProductCount
    {
        get
        {
            lock (_sync)
            {
                return (int)_lastProductId - _deletedProducts.Count;
            }
        }
    }

    private int SeededProducts => _seed.Products;

    private int VariantsPerProduct => Math.Max(1, _seed.VariantsPerProduct);

    internal IReadOnlyList<Location> Locations => _locations;

    private void SeedCatalog(SeedOptions seed)
    {
        _lastProductId = seed.Products;
        _locations = [.. Enumerable.Range(1, Math.Max(1, seed.Locations)).Select(i => new Location(i, $"LOC{i}", i == 1 ? "Default location" : $"Warehouse {i}"))];
    }

    internal JsonObject? ProductJson(long id, bool includeVariants)
    {
        lock (_sync)
        {
            return ProductExists(id) ? Shape(id, includeVariants) : null;
        }
    }

    internal (List<JsonObject> Items, int Total) QueryProducts(ProductFilter filter, int page, int limit)
    {
        lock (_sync)
        {
            if (filter.IsUnfiltered && _deletedProducts.Count == 0)
            {
                // The common case (a full stream): slice the id range without touching other products.
                var from = ((long)(page - 1) * limit) + 1;
                var items = new List<JsonObject>(limit);
                for (var id = from; id < from + limit && id <= _lastProductId; id++)
                {
                    items.Add(Shape(id, filter.IncludeVariants));
                }

                return (items, (int)_lastProductId);
            }

            IEnumerable<long> candidates = filter.Ids is not null
                ? filter.Ids.Where(ProductExists).Distinct()
                : filter.Skus is not null
                    ? filter.Skus.Select(ProductIdBySku).Where(i => i > 0).Distinct()
                    : LongRange(Math.Max(1, filter.IdMin ?? 1), Math.Min(_lastProductId, filter.IdMax ?? _lastProductId)).Where(ProductExists);
            if (filter.IdMin is { } min)
            {
                candidates = candidates.Where(i => i >= min);
            }

            if (filter.IdMax is { } max)
            {
                candidates = candidates.Where(i => i <= max);
            }

            if (filter.Name is { } name)
            {
                candidates = candidates.Where(i => ProductIdByName(name) == i);
            }

            var snapshots = candidates.Select(i => Snapshot(i, includeVariants: false))
                .Where(p => (filter.IsVisible is null || p.IsVisible == filter.IsVisible)
                    && (filter.ModifiedMin is null || p.DateModified >= filter.ModifiedMin)
                    && (filter.ModifiedMax is null || p.DateModified <= filter.ModifiedMax));
            Func<Product, IComparable> key = filter.Sort switch
            {
                "name" => p => p.Name,
                "sku" => p => p.Sku,
                "price" => p => p.Price,
                "date_modified" => p => p.DateModified,
                _ => p => p.Id,
            };
            var matching = (filter.Descending ? snapshots.OrderByDescending(key) : snapshots.OrderBy(key)).Select(p => p.Id).ToList();
            return ([.. matching.Skip((page - 1) * limit).Take(limit).Select(i => Shape(i, filter.IncludeVariants))], matching.Count);
        }
    }

    /// <summary>
    /// The catalog as the store holds it now, one product at a time and generated like the API's pages (nothing is
    /// built up): for test sources that mirror the store, e.g. a generated ERP with a known share of drift.
    /// </summary>
    public IEnumerable<CatalogEntry> StreamCatalog()
    {
        long last;
        lock (_sync)
        {
            last = _lastProductId;
        }

        for (var id = 1L; id <= last; id++)
        {
            if (Entry(id) is { } entry)
            {
                yield return entry;
            }
        }
    }

    /// <summary>
    /// A store seeded with <paramref name="seed"/> and never changed, detached from any emulator (no API, no hooks,
    /// nothing held): its <see cref="StreamCatalog"/> and <see cref="FindBySku"/> generate the seed's catalog on demand,
    /// for test sources that mirror an emulator running in another process, such as a generated ERP.
    /// </summary>
    public static EmulatedStore Detached(SeedOptions seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        return new EmulatedStore(new EmulatedStoreOptions(), 0, new EmulatorOptions { Seed = seed }, TimeProvider.System, dispatcher: null);
    }

    /// <summary>The product carrying this SKU (its own or a variant's) as <see cref="StreamCatalog"/> gives it, or null.</summary>
    public CatalogEntry? FindBySku(string sku)
    {
        ArgumentNullException.ThrowIfNull(sku);
        long id;
        lock (_sync)
        {
            id = ProductIdBySku(sku) is var product and > 0 ? product : VariantIdBySku(sku) is var variant and > 0 ? CurrentVariant(variant).ProductId : 0;
        }

        return id > 0 ? Entry(id) : null;
    }

    private CatalogEntry? Entry(long id)
    {
        lock (_sync)
        {
            if (!ProductExists(id))
            {
                return null;
            }

            var product = Snapshot(id, includeVariants: false);
            var variants = VariantIds(id).Select(CurrentVariant)
                .Select(v => new CatalogEntryVariant(v.Id, v.Sku, v.Price ?? product.Price, v.Weight ?? product.Weight, !v.PurchasingDisabled,
                    [.. _locations.Select(l => (l.Id, Stock(v.Id, l.Id)))]))
                .ToList();
            return new CatalogEntry(id, product.Sku, product.Name, product.Price, product.Weight, variants);
        }
    }

    internal List<JsonObject>? ProductVariants(long productId)
    {
        lock (_sync)
        {
            return ProductExists(productId) ? [.. VariantIds(productId).Select(v => CatalogShapes.Variant(WithStock(CurrentVariant(v))))] : null;
        }
    }

    internal JsonObject? VariantJson(long productId, long variantId)
    {
        lock (_sync)
        {
            return VariantExists(variantId) && CurrentVariant(variantId).ProductId == productId ? CatalogShapes.Variant(WithStock(CurrentVariant(variantId))) : null;
        }
    }

    /// <summary><c>GET /v3/catalog/variants</c> with <c>id:in</c>, <c>sku</c>/<c>sku:in</c> and <c>product_id:in</c>.</summary>
    internal (List<JsonObject> Items, int Total) QueryVariants(
        IReadOnlyCollection<long>? ids, IReadOnlyCollection<string>? skus, IReadOnlyCollection<long>? productIds, int page, int limit)
    {
        lock (_sync)
        {
            IEnumerable<long> candidates = ids is not null
                ? ids.Where(VariantExists).Distinct().Order()
                : skus is not null
                    ? skus.Select(VariantIdBySku).Where(v => v > 0).Distinct().Order()
                    : (productIds ?? (IEnumerable<long>)LongRange(1, _lastProductId)).Where(ProductExists).Distinct().Order().SelectMany(VariantIds);
            if (productIds is not null)
            {
                candidates = candidates.Where(v => productIds.Contains(CurrentVariant(v).ProductId));
            }

            var matching = candidates.ToList();
            return ([.. matching.Skip((page - 1) * limit).Take(limit).Select(v => CatalogShapes.Variant(WithStock(CurrentVariant(v))))], matching.Count);
        }
    }

    /// <summary>
    /// <c>POST /v3/catalog/products</c>: a product with its base variant and up to <c>VariantsPerProduct</c> variants
    /// in all (the emulator's id scheme), no stock; raises <c>store/product/created</c> and <c>store/sku/created</c> per variant.
    /// </summary>
    internal (JsonObject? Product, string? Error, bool Conflict) CreateProduct(NewProduct request)
    {
        JsonObject result;
        List<Variant> variants;
        long id;
        lock (_sync)
        {
            if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 250)
            {
                return (null, "name is required (1-250 characters).", false);
            }

            if (request.Price < 0 || request.Weight < 0)
            {
                return (null, "price and weight must be 0 or more.", false);
            }

            var skus = request.Variants.Select(v => v.Sku).Prepend(request.Sku).Where(s => !string.IsNullOrEmpty(s)).ToList();
            if (request.Variants.Count + 1 > VariantsPerProduct)
            {
                return (null, $"The emulator's products have at most {VariantsPerProduct} variants (Seed:VariantsPerProduct); this one has {request.Variants.Count + 1}.", false);
            }

            if (ProductIdByName(request.Name) > 0)
            {
                return (null, $"The product name '{request.Name}' is already used by another product.", true);
            }

            if (skus.Any(s => ProductIdBySku(s!) > 0 || VariantIdBySku(s!) > 0) || skus.Distinct(StringComparer.Ordinal).Count() != skus.Count)
            {
                return (null, "A SKU of the product is already used by another product or variant, or listed twice.", true);
            }

            id = ++_lastProductId;
            var now = Now;
            var product = new Product
            {
                Id = id, Name = request.Name, Sku = request.Sku ?? string.Empty, Type = request.Type, Description = request.Description ?? string.Empty,
                Weight = request.Weight, Price = request.Price, CostPrice = request.CostPrice ?? 0, RetailPrice = request.RetailPrice ?? 0, SalePrice = request.SalePrice ?? 0,
                CalculatedPrice = request.SalePrice is > 0 ? request.SalePrice.Value : request.Price, Categories = [.. request.Categories],
                InventoryTracking = request.InventoryTracking, IsVisible = request.IsVisible, BaseVariantId = VariantId(id, 1), DateCreated = now, DateModified = now,
            };
            _productChanges[id] = product;
            _renamedNames[product.Name] = id;
            if (product.Sku.Length > 0)
            {
                _renamedProductSkus[product.Sku] = id;
            }

            var specs = request.Variants.Prepend(new NewVariant(product.Sku.Length > 0 ? product.Sku : $"SKU-NEW-{id}", null, null)).ToList();
            _createdVariantCounts[id] = specs.Count;
            variants = [];
            for (var k = 1; k <= specs.Count; k++)
            {
                var variant = new Variant
                {
                    Id = VariantId(id, k), ProductId = id, Sku = specs[k - 1].Sku ?? $"{product.Sku}-{k}", SkuId = 1_000_000 + VariantId(id, k),
                    Price = specs[k - 1].Price ?? product.Price, CostPrice = product.CostPrice, RetailPrice = product.RetailPrice, SalePrice = product.SalePrice,
                    CalculatedPrice = specs[k - 1].Price ?? product.CalculatedPrice, Weight = specs[k - 1].Weight ?? product.Weight, Upc = string.Empty,
                    OptionValues = k == 1 ? [] : [new VariantOptionValue { Id = k, Label = $"Option {k}", OptionId = 1, OptionDisplayName = "Option" }],
                };
                _variantChanges[variant.Id] = variant;
                _renamedVariantSkus[variant.Sku] = variant.Id;
                foreach (var location in _locations)
                {
                    _stockChanges[(variant.Id, location.Id)] = 0;
                }

                variants.Add(variant);
            }

            result = Shape(id, includeVariants: true);
        }

        Raise("store/product/created", new JsonObject { ["type"] = "product", ["id"] = id });
        foreach (var variant in variants)
        {
            Raise("store/sku/created", SkuData(variant));
        }

        return (result, null, false);
    }

    /// <summary>Deletes a product and its variants (their SKUs and name become free); raises <c>store/sku/deleted</c> and <c>store/product/deleted</c>.</summary>
    internal bool DeleteProduct(long id)
    {
        List<Variant> variants;
        lock (_sync)
        {
            if (!ProductExists(id))
            {
                return false;
            }

            var product = Snapshot(id, includeVariants: false);
            variants = [.. VariantIds(id).Select(CurrentVariant)];
            _deletedProducts.Add(id);
            _renamedNames.Remove(product.Name);
            _retiredNames.Add(product.Name);
            _renamedProductSkus.Remove(product.Sku);
            _retiredSkus.Add(product.Sku);
            foreach (var variant in variants)
            {
                _renamedVariantSkus.Remove(variant.Sku);
                _retiredSkus.Add(variant.Sku);
            }
        }

        foreach (var variant in variants)
        {
            Raise("store/sku/deleted", SkuData(variant));
        }

        Raise("store/product/deleted", new JsonObject { ["type"] = "product", ["id"] = id });
        return true;
    }

    /// <summary>
    /// Applies the valid updates; returns the applied products and an error per rejected product id. A SKU or name
    /// another product holds is a conflict (BigCommerce's 409): then nothing is applied.
    /// </summary>
    internal (List<JsonObject> Applied, Dictionary<long, string> Errors, bool Conflict) UpdateProducts(IList<ProductUpdate> updates)
    {
        var applied = new List<JsonObject>();
        var errors = new Dictionary<long, string>();
        lock (_sync)
        {
            var conflicts = new Dictionary<long, string>();
            foreach (var update in updates)
            {
                var (error, conflict) = ValidateProduct(update);
                if (error is not null)
                {
                    (conflict ? conflicts : errors)[update.Id] = error;
                }
            }

            if (conflicts.Count > 0)
            {
                return (applied, conflicts, true);
            }

            foreach (var update in updates.Where(u => !errors.ContainsKey(u.Id)))
            {
                var product = _productChanges.TryGetValue(update.Id, out var changed) ? changed : Generate(update.Id);
                if (update.Sku is { } sku && sku != product.Sku)
                {
                    product.Sku = Rename(_renamedProductSkus, product.Sku, sku, product.Id);
                }

                if (update.Name is { } name && name != product.Name)
                {
                    _renamedNames.Remove(product.Name);
                    _retiredNames.Add(product.Name);
                    _retiredNames.Remove(name);
                    _renamedNames[name] = product.Id;
                    product.Name = name;
                }

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
                applied.Add(Shape(product.Id, includeVariants: false));
            }
        }

        foreach (var product in applied)
        {
            Raise("store/product/updated", new JsonObject { ["type"] = "product", ["id"] = product["id"]!.GetValue<long>() });
        }

        return (applied, errors, false);
    }

    /// <summary>All or nothing, like BigCommerce's variant batch: any invalid item rejects the batch.</summary>
    internal (List<Variant> Applied, Dictionary<long, string> Errors, bool Conflict) UpdateVariants(IList<VariantUpdate> updates)
    {
        var applied = new List<Variant>();
        var errors = new Dictionary<long, string>();
        var conflict = false;
        lock (_sync)
        {
            foreach (var update in updates)
            {
                if (ValidateVariant(update) is ({ } error, var isConflict))
                {
                    errors[update.Id] = error;
                    conflict |= isConflict;
                }
            }

            if (errors.Count > 0)
            {
                return (applied, errors, conflict);
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

        return (applied, errors, false);
    }

    internal (List<InventoryItem> Items, int Total) QueryInventory(
        IReadOnlyCollection<string>? skus, IReadOnlyCollection<long>? variantIds, IReadOnlyCollection<long>? productIds,
        IReadOnlyCollection<long>? locationIds, IReadOnlyCollection<string>? locationCodes, int page, int limit)
    {
        lock (_sync)
        {
            IEnumerable<long> candidates = variantIds is not null
                ? variantIds.Where(VariantExists).Distinct().Order()
                : skus is not null
                    ? skus.Select(VariantIdBySku).Where(v => v > 0).Distinct().Order()
                    : (productIds ?? (IEnumerable<long>)LongRange(1, _lastProductId)).Where(ProductExists).Distinct().Order().SelectMany(VariantIds);
            if (productIds is not null)
            {
                candidates = candidates.Where(v => productIds.Contains(CurrentVariant(v).ProductId));
            }

            var locations = _locations.Where(l => (locationIds is null || locationIds.Contains(l.Id))
                && (locationCodes is null || locationCodes.Contains(l.Code, StringComparer.Ordinal))).ToList();
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
        var changed = new List<(Variant Variant, long Location, int Quantity)>();
        string transaction;
        lock (_sync)
        {
            var resolved = new List<(long Variant, long Location, int Quantity)>();
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                var key = $"items.{i}";
                var variantId = item.VariantId ?? (item.Sku is { } sku ? VariantIdBySku(sku) : 0);
                if (!VariantExists(variantId))
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
                changed.Add((CurrentVariant(variantId), location, quantity));
            }

            transaction = Guid.CreateVersion7(Now).ToString();
            _transactions++;
        }

        // Absolute adjustments carry the level set at the location (what the emulator has always sent for them).
        foreach (var (variant, location, level) in changed)
        {
            RaiseInventory("store/sku/inventory/updated", "store/product/inventory/updated", variant, location, "absolute", level);
        }

        return (transaction, errors);
    }

    internal Variant? VariantForOrder(long variantId)
    {
        lock (_sync)
        {
            return VariantExists(variantId) ? CurrentVariant(variantId) : null;
        }
    }

    private (string? Error, bool Conflict) ValidateProduct(ProductUpdate update)
    {
        if (!ProductExists(update.Id))
        {
            return ($"Product {update.Id} does not exist.", false);
        }

        if (update.Name is { } name && (string.IsNullOrWhiteSpace(name) || name.Length > 250))
        {
            return ("name must be 1-250 characters.", false);
        }

        if (update.Price is < 0 || update.SalePrice is < 0 || update.CostPrice is < 0 || update.RetailPrice is < 0)
        {
            return ("Prices must be 0 or more.", false);
        }

        if (update.Sku is { } sku && sku.Length is 0 or > 255)
        {
            return ("sku must be 1-255 characters.", false);
        }

        if (update.Sku is { } taken && ((ProductIdBySku(taken) is var owner && owner > 0 && owner != update.Id)
            || (VariantIdBySku(taken) is var variant && variant > 0 && CurrentVariant(variant).ProductId != update.Id)))
        {
            return ($"sku '{taken}' is used by another product or variant.", true);
        }

        if (update.Name is { } used && ProductIdByName(used) is var holder && holder > 0 && holder != update.Id)
        {
            return ($"The product name '{used}' is used by another product.", true);
        }

        return (null, false);
    }

    private (string? Error, bool Conflict) ValidateVariant(VariantUpdate update)
    {
        if (!VariantExists(update.Id))
        {
            return ($"Variant {update.Id} does not exist.", false);
        }

        if (update.Price is < 0 || update.SalePrice is < 0 || update.CostPrice is < 0 || update.RetailPrice is < 0)
        {
            return ("Prices must be 0 or more.", false);
        }

        if (update.Sku is { } sku && sku.Length is 0 or > 255)
        {
            return ("sku must be 1-255 characters.", false);
        }

        if (update.Sku is { } taken && VariantIdBySku(taken) is var owner && owner > 0 && owner != update.Id)
        {
            return ($"sku '{taken}' is used by another variant.", true);
        }

        return (null, false);
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
        var variants = VariantIds(id).Select(v => WithStock(CurrentVariant(v))).ToList();

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

    private bool ProductExists(long id) => id >= 1 && id <= _lastProductId && !_deletedProducts.Contains(id);

    private int VariantCountOf(long productId) => _createdVariantCounts.TryGetValue(productId, out var count) ? count : VariantsPerProduct;

    private bool VariantExists(long variantId)
    {
        if (variantId < 1)
        {
            return false;
        }

        var productId = ((variantId - 1) / VariantsPerProduct) + 1;
        return ProductExists(productId) && (int)((variantId - 1) % VariantsPerProduct) + 1 <= VariantCountOf(productId);
    }

    private IEnumerable<long> VariantIds(long productId) => Enumerable.Range(1, VariantCountOf(productId)).Select(k => VariantId(productId, k));

    /// <summary>Seeded names are "Product {id}" until renamed; renamed and created names are kept (case-insensitive, as BigCommerce compares them).</summary>
    private long ProductIdByName(string name)
    {
        if (_renamedNames.TryGetValue(name, out var id))
        {
            return ProductExists(id) ? id : 0;
        }

        return !_retiredNames.Contains(name) && name.StartsWith("Product ", StringComparison.OrdinalIgnoreCase)
            && long.TryParse(name.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out id) && id >= 1 && id <= SeededProducts && ProductExists(id)
            && name.Length == 8 + id.ToString(CultureInfo.InvariantCulture).Length
            ? id
            : 0;
    }

    private JsonObject Shape(long id, bool includeVariants)
    {
        var product = Snapshot(id, includeVariants);
        return CatalogShapes.Product(product, product.Variants?.ToList());
    }

    /// <summary>The product's base variant, for orders placed by product id.</summary>
    internal long? BaseVariantOf(long productId)
    {
        lock (_sync)
        {
            return ProductExists(productId) ? VariantId(productId, 1) : null;
        }
    }

    private long ProductIdBySku(string sku)
    {
        if (_renamedProductSkus.TryGetValue(sku, out var id))
        {
            return id;
        }

        return !_retiredSkus.Contains(sku) && sku.Length == 10 && sku.StartsWith("SKU-", StringComparison.Ordinal)
            && long.TryParse(sku.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out id) && id >= 1 && id <= SeededProducts && ProductExists(id)
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
            || productId < 1 || productId > SeededProducts || !ProductExists(productId) || k < 1 || k > VariantsPerProduct)
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

/// <summary>The <c>GET /v3/catalog/products</c> filters the emulator implements.</summary>
internal sealed record ProductFilter(
    IReadOnlyCollection<long>? Ids = null, IReadOnlyCollection<string>? Skus = null, string? Name = null, bool? IsVisible = null,
    DateTimeOffset? ModifiedMin = null, DateTimeOffset? ModifiedMax = null, string Sort = "id", bool Descending = false, bool IncludeVariants = false,
    long? IdMin = null, long? IdMax = null)
{
    public bool IsUnfiltered =>
        Ids is null && Skus is null && Name is null && IsVisible is null && ModifiedMin is null && ModifiedMax is null && Sort == "id" && !Descending
        && IdMin is null && IdMax is null;
}

/// <summary>A product to create (<c>POST /v3/catalog/products</c>) with its extra variants.</summary>
internal sealed record NewProduct(
    string Name, string Type, string? Sku, decimal Price, decimal Weight, string? Description, decimal? CostPrice, decimal? RetailPrice,
    decimal? SalePrice, IReadOnlyList<long> Categories, string InventoryTracking, bool IsVisible, IReadOnlyList<NewVariant> Variants);

internal sealed record NewVariant(string? Sku, decimal? Price, decimal? Weight);

/// <summary>A product as <see cref="EmulatedStore.StreamCatalog"/> gives it.</summary>
public sealed record CatalogEntry(long Id, string Sku, string Name, decimal Price, decimal Weight, IReadOnlyList<CatalogEntryVariant> Variants);

/// <summary>A variant with its effective price and weight and its on-hand stock per location id.</summary>
public sealed record CatalogEntryVariant(long Id, string Sku, decimal Price, decimal Weight, bool Purchasable, IReadOnlyList<(long LocationId, int OnHand)> Stock);
