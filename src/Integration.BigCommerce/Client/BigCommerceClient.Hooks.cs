namespace Integration.BigCommerce.Client;

public sealed partial class BigCommerceClient
{
    /// <summary>Every hook of the API account, all pages (the default page is 50, which a store with many hooks exceeds).</summary>
    public async Task<IReadOnlyList<Hook>> GetHooksAsync(CancellationToken cancellationToken = default) =>
        await GetPagesAsync("hooks", QueryString.Empty, BigCommerceLimits.PageSize, BigCommerceJsonContext.Default.DataPageHook, cancellationToken)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

    public Task<Hook> GetHookAsync(long hookId, CancellationToken cancellationToken = default) =>
        HookAsync(HttpMethod.Get, $"hooks/{Id(hookId)}", null, cancellationToken);

    /// <summary>Creates a hook. Not retried blindly (a create is not idempotent): on a transient failure, list the hooks first.</summary>
    public Task<Hook> CreateHookAsync(HookRequest hook, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (string.IsNullOrWhiteSpace(hook.Scope) || string.IsNullOrWhiteSpace(hook.Destination))
        {
            throw new ArgumentException("A hook needs a Scope and a Destination.", nameof(hook));
        }

        return HookAsync(HttpMethod.Post, "hooks", hook, cancellationToken);
    }

    public Task<Hook> UpdateHookAsync(long hookId, HookRequest hook, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return HookAsync(HttpMethod.Put, $"hooks/{Id(hookId)}", hook, cancellationToken);
    }

    public Task<Hook> DeleteHookAsync(long hookId, CancellationToken cancellationToken = default) =>
        HookAsync(HttpMethod.Delete, $"hooks/{Id(hookId)}", null, cancellationToken);

    public async Task<HooksAdmin> GetHooksAdminAsync(CancellationToken cancellationToken = default)
    {
        var envelope = await SendAsync(HttpMethod.Get, "v3", "hooks/admin", null, BigCommerceJsonContext.Default.DataEnvelopeHooksAdmin, cancellationToken).ConfigureAwait(false);
        return envelope.Data ?? throw new BigCommerceException("GET /v3/hooks/admin returned no data.", 200, isTransient: false);
    }

    private async Task<Hook> HookAsync(HttpMethod method, string path, HookRequest? body, CancellationToken cancellationToken)
    {
        var content = body is null ? null : JsonBody(body, BigCommerceJsonContext.Default.HookRequest);
        var envelope = await SendAsync(method, "v3", path, content, BigCommerceJsonContext.Default.DataEnvelopeHook, cancellationToken).ConfigureAwait(false);
        return envelope.Data ?? throw new BigCommerceException($"{method} /v3/{path} returned no data.", 200, isTransient: false);
    }
}
