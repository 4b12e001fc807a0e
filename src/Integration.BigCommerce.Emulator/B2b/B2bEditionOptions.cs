namespace Integration.BigCommerce.Emulator;

/// <summary>
/// B2B Edition in the emulator (<c>Emulator:B2bEdition</c>): the management API at <c>{BaseAddress}api/v3/io/...</c>
/// (docs/b2b.md). The extra fields are what a merchant configures in B2B Edition's settings (the API only reads them).
/// </summary>
public sealed class B2bEditionOptions
{
    /// <summary>B2B Edition's own request window (its documented example header: <c>X-Requests-Allocated: 150 times/60 s</c>).</summary>
    public RateLimitOptions RateLimit { get; set; } = new() { Quota = 150, WindowMs = 60_000 };

    /// <summary>Company extra fields configured in every emulated store; the default is the hub's own set (docs/b2b.md).</summary>
    public IList<B2bExtraFieldOptions> CompanyExtraFields { get; init; } =
    [
        new() { FieldName = "ERP Account", FieldType = 0, IsUnique = true, MaximumLength = 50 },
        new() { FieldName = "Payment Terms", FieldType = 0, MaximumLength = 100 },
        new() { FieldName = "Credit Limit", FieldType = 2 },
        new() { FieldName = "Account Manager", FieldType = 0, MaximumLength = 100 },
    ];
}

/// <summary>One configured extra field: type 0 text, 1 multi-line text, 2 number, 3 dropdown (<see cref="ListOfValue"/>).</summary>
public sealed class B2bExtraFieldOptions
{
    public string FieldName { get; set; } = string.Empty;

    public int FieldType { get; set; }

    public bool IsRequired { get; set; }

    public bool IsUnique { get; set; }

    public bool VisibleToEnduser { get; set; } = true;

    public int MaximumLength { get; set; } = 255;

    public IList<string> ListOfValue { get; init; } = [];
}
