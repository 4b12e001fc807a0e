namespace Integration.BigCommerce.Client;

/// <summary>A webhook subscription (<c>/v3/hooks</c>).</summary>
public sealed class Hook
{
    public long Id { get; set; }

    public string ClientId { get; set; } = string.Empty;

    public string StoreHash { get; set; } = string.Empty;

    public string Scope { get; set; } = string.Empty;

    public string Destination { get; set; } = string.Empty;

    public bool IsActive { get; set; }

    /// <summary>Headers BigCommerce sends with every callback: the documented way to authenticate them.</summary>
    public IDictionary<string, string>? Headers { get; set; }

    public long CreatedAt { get; set; }

    public long UpdatedAt { get; set; }
}

/// <summary>The body of <c>POST /v3/hooks</c> and <c>PUT /v3/hooks/{id}</c>; null members are not changed on update.</summary>
public sealed class HookRequest
{
    public string? Scope { get; init; }

    public string? Destination { get; init; }

    public bool? IsActive { get; init; }

    public IDictionary<string, string>? Headers { get; init; }
}

/// <summary><c>GET /v3/hooks/admin</c>: notification emails, hook statuses and blocked destination domains.</summary>
public sealed class HooksAdmin
{
    public IList<string> Emails { get; set; } = [];

    public IList<AdminHook> HooksList { get; set; } = [];

    public IList<BlockedDomain> BlockedDomains { get; set; } = [];
}

public sealed class AdminHook
{
    public long Id { get; set; }

    public string ClientId { get; set; } = string.Empty;

    public string StoreHash { get; set; } = string.Empty;

    public string Scope { get; set; } = string.Empty;

    public string Destination { get; set; } = string.Empty;

    public IDictionary<string, string>? Headers { get; set; }

    public bool IsActive { get; set; }

    public long CreatedAt { get; set; }

    public long UpdatedAt { get; set; }

    /// <summary><c>active</c>, <c>inactive</c> or <c>deactivated</c> (by failed deliveries).</summary>
    public string Status { get; set; } = "active";
}

public sealed class BlockedDomain
{
    public string Destination { get; set; } = string.Empty;

    public long TimeLeft { get; set; }
}
