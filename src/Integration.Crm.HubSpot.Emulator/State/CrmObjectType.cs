using System.Collections.Frozen;

namespace Integration.Crm.HubSpot.Emulator.State;

/// <summary>The standard object types the emulator serves, by every name HubSpot accepts in a path.</summary>
internal sealed record CrmObjectType(string Name, string TypeId, string Singular, IReadOnlyList<string> DefaultProperties)
{
    public static readonly CrmObjectType Contacts = new("contacts", "0-1", "Contact",
        ["createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"]);

    public static readonly CrmObjectType Companies = new("companies", "0-2", "Company",
        ["createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"]);

    public static readonly CrmObjectType Deals = new("deals", "0-3", "Deal",
        ["amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate", "hs_object_id", "pipeline"]);

    public static readonly IReadOnlyList<CrmObjectType> All = [Contacts, Companies, Deals];

    private static readonly FrozenDictionary<string, CrmObjectType> ByName = All
        .SelectMany(t => new[] { (t.Name, t), (t.TypeId, t), (t.Name[..^1], t), (t.Name == "companies" ? "company" : t.Name, t) })
        .DistinctBy(p => p.Item1)
        .ToFrozenDictionary(p => p.Item1, p => p.Item2, StringComparer.OrdinalIgnoreCase);

    /// <summary>The modification-time property (contacts use <c>lastmodifieddate</c>, the others <c>hs_lastmodifieddate</c>).</summary>
    public string ModifiedProperty => this == Contacts ? "lastmodifieddate" : "hs_lastmodifieddate";

    public static CrmObjectType Find(string name) =>
        ByName.TryGetValue(name, out var type) ? type
        : throw new HubSpotApiError(400, "VALIDATION_ERROR", $"Unable to infer object type from: {name}");
}

/// <summary>HubSpot-defined association types (hubspot-facts.md §4), and each one's inverse.</summary>
internal static class AssociationTypes
{
    private static readonly (string From, string To, int TypeId, int Inverse, string? Label)[] Defined =
    [
        ("contacts", "companies", 279, 280, null), ("companies", "contacts", 280, 279, null),
        ("contacts", "companies", 1, 2, "Primary"), ("companies", "contacts", 2, 1, "Primary"),
        ("deals", "contacts", 3, 4, null), ("contacts", "deals", 4, 3, null),
        ("deals", "companies", 5, 6, "Primary"), ("companies", "deals", 6, 5, "Primary"),
        ("deals", "companies", 341, 342, null), ("companies", "deals", 342, 341, null),
    ];

    /// <summary>The unlabelled default type between two object types.</summary>
    public static int Default(CrmObjectType from, CrmObjectType to) =>
        Defined.FirstOrDefault(d => d.From == from.Name && d.To == to.Name && d.Label is null).TypeId is var id and > 0 ? id
        : throw HubSpotApiError.Validation($"No default association type between {from.Name} and {to.Name}.");

    public static bool TryGet(CrmObjectType from, CrmObjectType to, int typeId, out int inverse, out string? label)
    {
        foreach (var d in Defined)
        {
            if (d.From == from.Name && d.To == to.Name && d.TypeId == typeId)
            {
                inverse = d.Inverse;
                label = d.Label;
                return true;
            }
        }

        inverse = 0;
        label = null;
        return false;
    }
}
