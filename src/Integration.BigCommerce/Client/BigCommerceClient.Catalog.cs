using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Integration.BigCommerce.Client;

public sealed partial class BigCommerceClient
{
    /// <summary>One product with its variants, or null when the store has no product with that id.</summary>
    public async Task<Product?> GetProductAsync(long productId, CancellationToken cancellationToken = default)
    {
        await foreach (var product in GetProductsAsync(new ProductQuery { Ids = [productId], IncludeVariants = true }, cancellationToken)
            .ConfigureAwait(false))
        {
            return product;
        }

        return null;
    }

    /// <summary>
    /// Streams products (with variants by default), 250 per call, one page in memory at a time. <c>id:in</c> and
    /// <c>sku:in</c> lists are split into calls of at most <see cref="BigCommerceLimits.FilterValues"/> values.
    /// </summary>
    public async IAsyncEnumerable<Product> GetProductsAsync(ProductQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        query ??= new ProductQuery();
        if (query.PageSize is < 1 or > BigCommerceLimits.PageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.PageSize, $"ProductQuery.PageSize must be between 1 and {BigCommerceLimits.PageSize}.");
        }

        if (query.Ids is { Count: > 0 } && query.Skus is { Count: > 0 })
        {
            throw new ArgumentException("Filter products by Ids or by Skus, not both.", nameof(query));
        }

        var type = BigCommerceJsonContext.Default.DataPageProduct;
        foreach (var ids in Chunk(query.Ids, BigCommerceLimits.FilterValues))
        {
            foreach (var skus in Chunk(query.Skus, BigCommerceLimits.FilterValues))
            {
                var q = QueryString.Empty
                    .With("include", query.IncludeVariants ? "variants" : null)
                    .WithList("id:in", ids)
                    .WithList("sku:in", skus)
                    .With("date_modified:min", query.ModifiedSince);
                await foreach (var product in GetPagesAsync("catalog/products", q, query.PageSize, type, cancellationToken).ConfigureAwait(false))
                {
                    yield return product;
                }
            }
        }
    }

    /// <summary>
    /// Updates products in calls of 10 (the documented batch size). A 207 (partial success) or 422 yields
    /// per-item failures instead of an exception; any other error status throws.
    /// </summary>
    public Task<BatchResult> UpdateProductsAsync(IEnumerable<ProductUpdate> products, CancellationToken cancellationToken = default) =>
        UpdateBatchAsync(products, p => p.Id, BigCommerceLimits.ProductBatch, "catalog/products",
            BigCommerceJsonContext.Default.IListProductUpdate, cancellationToken);

    /// <summary>Updates variants in calls of 50 (the documented batch size); per-item results as for products.</summary>
    public Task<BatchResult> UpdateVariantsAsync(IEnumerable<VariantUpdate> variants, CancellationToken cancellationToken = default) =>
        UpdateBatchAsync(variants, v => v.Id, BigCommerceLimits.VariantBatch, "catalog/variants",
            BigCommerceJsonContext.Default.IListVariantUpdate, cancellationToken);

    private async Task<BatchResult> UpdateBatchAsync<T>(
        IEnumerable<T> items, Func<T, long> id, int batchSize, string path, JsonTypeInfo<IList<T>> type, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var all = items.ToList();
        for (var i = 0; i < all.Count; i++)
        {
            if (all[i] is null || id(all[i]) <= 0)
            {
                throw new ArgumentException($"Item {i} is null or has no positive Id.", nameof(items));
            }
        }

        var results = new List<BatchItemResult>(all.Count);
        var calls = 0;
        foreach (var chunk in all.Chunk(batchSize))
        {
            calls++;
            using var response = await SendAsync(HttpMethod.Put, "v3", path, JsonBody<IList<T>>(chunk, type), cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.MultiStatus or HttpStatusCode.UnprocessableEntity)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                results.AddRange(BatchOutcome.Read(body, status, chunk.Select(id).ToList(), $"PUT /v3/{path}"));
            }
            else
            {
                throw await ErrorAsync(response, HttpMethod.Put, "v3", path, cancellationToken).ConfigureAwait(false);
            }
        }

        return new BatchResult(results, calls);
    }

    /// <summary>Turns a batch response (200 all applied; 207 the applied ones in <c>data</c>; 422 none) into per-item results.</summary>
    private static class BatchOutcome
    {
        public static IEnumerable<BatchItemResult> Read(string body, int status, List<long> ids, string what)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body);
            }
            catch (JsonException ex)
            {
                throw new BigCommerceException($"{what} returned {status} with a body that is not JSON: {ex.Message}", status, isTransient: false, innerException: ex);
            }

            using (document)
            {
                var root = document.RootElement;
                if (status == 200)
                {
                    return ids.Select(i => new BatchItemResult(i, true));
                }

                var errors = Errors(root);
                if (status == 422)
                {
                    return ids.Select(i => new BatchItemResult(i, false, ErrorFor(errors, i)));
                }

                // 207: the items in data were applied.
                var applied = new HashSet<long>();
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in data.EnumerateArray())
                    {
                        if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("id", out var idElement) && idElement.TryGetInt64(out var appliedId))
                        {
                            applied.Add(appliedId);
                        }
                    }
                }

                return ids.Select(i => applied.Contains(i) ? new BatchItemResult(i, true) : new BatchItemResult(i, false, ErrorFor(errors, i)));
            }
        }

        /// <summary>Error entries as (title, details, ids mentioned) from <c>errors</c> (products) or <c>batch_errors</c> (variants).</summary>
        private static List<(string Text, HashSet<long> Ids)> Errors(JsonElement root)
        {
            var found = new List<(string, HashSet<long>)>();
            if (root.ValueKind != JsonValueKind.Object)
            {
                return found;
            }

            if (root.TryGetProperty("batch_errors", out var batch) && batch.ValueKind == JsonValueKind.Array)
            {
                foreach (var entry in batch.EnumerateArray())
                {
                    found.Add(Entry(entry));
                }
            }
            else if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object && errors.TryGetProperty("title", out _))
            {
                found.Add(Entry(errors));
            }
            else
            {
                found.Add(Entry(root));
            }

            return found;
        }

        private static (string, HashSet<long>) Entry(JsonElement entry)
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                return (entry.GetRawText(), []);
            }

            var title = entry.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var ids = new HashSet<long>();
            string? details = null;
            if (entry.TryGetProperty("errors", out var errors))
            {
                details = ErrorText.Flatten(errors);
                if (errors.ValueKind == JsonValueKind.Object)
                {
                    // BigCommerce names the failing item by id, as a key or a value.
                    foreach (var member in errors.EnumerateObject())
                    {
                        if (long.TryParse(member.Name, out var keyId))
                        {
                            ids.Add(keyId);
                        }

                        if (member.Value.ValueKind == JsonValueKind.Number && member.Value.TryGetInt64(out var valueId))
                        {
                            ids.Add(valueId);
                        }
                        else if (member.Value.ValueKind == JsonValueKind.String && long.TryParse(member.Value.GetString(), out var textId))
                        {
                            ids.Add(textId);
                        }
                    }
                }
            }

            return (string.Join(": ", new[] { title, details }.Where(s => !string.IsNullOrEmpty(s))), ids);
        }

        private static string ErrorFor(List<(string Text, HashSet<long> Ids)> errors, long id)
        {
            foreach (var (text, ids) in errors)
            {
                if (ids.Contains(id))
                {
                    return text;
                }
            }

            return errors.Count > 0 && errors.All(e => e.Ids.Count == 0) && errors[0].Text.Length > 0
                ? errors[0].Text
                : "Not applied: the batch was rejected because of other items in it.";
        }
    }
}
