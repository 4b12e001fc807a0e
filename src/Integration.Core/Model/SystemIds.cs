namespace Integration.Core.Model;

/// <summary>The systems the hub connects; each field of each object has exactly one of them as its owner.</summary>
public enum SystemName
{
    BigCommerce,
    Erp,
    Crm,
}

/// <summary>The id of one record in each system, as text (BigCommerce ids are integers, ERP and CRM ids vary).</summary>
public sealed record SystemIds(string? BigCommerce = null, string? Erp = null, string? Crm = null)
{
    public static SystemIds None { get; } = new();
}
