using Integration.BigCommerce.Client;

namespace Integration.BigCommerce.Emulator.Api;

/// <summary><c>GET /v3/customers</c> with <c>id:in</c>, <c>email:in</c> and <c>include=addresses</c>.</summary>
internal static class CustomersApi
{
    public static void Map(IEndpointRouteBuilder api) => api.MapGet("/v3/customers", GetCustomersAsync);

    private static async Task GetCustomersAsync(HttpContext context)
    {
        var (ok, page, limit) = await ApiResponses.PagingAsync(context, 50, BigCommerceLimits.PageSize);
        if (!ok)
        {
            return;
        }

        if (!ApiResponses.TryLongList(context, "id:in", out var ids))
        {
            await ApiResponses.V3Error(context, 400, "id:in must list integers.");
            return;
        }

        var include = ApiResponses.StringList(context, "include") ?? [];
        var (items, total) = context.Store().QueryCustomers(ids, ApiResponses.StringList(context, "email:in"), include.Contains("addresses"), page, limit);
        var result = new DataPage<Customer> { Data = items, Meta = ApiResponses.Meta(context, total, items.Count, page, limit) };
        await ApiResponses.Json(context, 200, result, BigCommerceJsonContext.Default.DataPageCustomer);
    }
}
