namespace Integration.BigCommerce.Client;

/// <summary>A v3 collection response: <c>{ "data": [...], "meta": { "pagination": {...} } }</c>.</summary>
public sealed class DataPage<T>
{
    public IList<T> Data { get; set; } = [];

    public CollectionMeta Meta { get; set; } = new();
}

/// <summary>A v3 single-resource response: <c>{ "data": {...}, "meta": {} }</c>.</summary>
public sealed class DataEnvelope<T>
    where T : class
{
    public T? Data { get; set; }

    public EmptyMeta Meta { get; set; } = new();
}

public sealed class EmptyMeta;

public sealed class CollectionMeta
{
    public Pagination? Pagination { get; set; }
}

public sealed class Pagination
{
    public int Total { get; set; }

    public int Count { get; set; }

    public int PerPage { get; set; }

    public int CurrentPage { get; set; }

    public int TotalPages { get; set; }

    public PaginationLinks Links { get; set; } = new();
}

public sealed class PaginationLinks
{
    public string? Previous { get; set; }

    public string? Current { get; set; }

    public string? Next { get; set; }
}

/// <summary>The outcome of one item of a batch write.</summary>
/// <param name="Id">The id of the item (product or variant id).</param>
/// <param name="Succeeded">Whether BigCommerce applied it.</param>
/// <param name="Error">Why it was not applied: BigCommerce's error title and details.</param>
public sealed record BatchItemResult(long Id, bool Succeeded, string? Error = null);

/// <summary>Per-item results of a batch write that the client split into calls of the documented size.</summary>
public sealed class BatchResult(IReadOnlyList<BatchItemResult> items, int calls)
{
    public IReadOnlyList<BatchItemResult> Items { get; } = items;

    /// <summary>The API calls the batch took.</summary>
    public int Calls { get; } = calls;

    public IEnumerable<BatchItemResult> Failed => Items.Where(i => !i.Succeeded);

    public bool AllSucceeded => Items.All(i => i.Succeeded);
}
