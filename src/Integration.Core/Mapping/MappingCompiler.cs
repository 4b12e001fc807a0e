using System.Text.Json;
using Integration.Core.Model;

namespace Integration.Core.Mapping;

/// <summary>Checks a <see cref="MappingDocument"/> and builds the configuration, collecting every error.</summary>
internal sealed class MappingCompiler(MappingDocument document)
{
    private const string SystemList = "bigcommerce, erp or crm";

    public List<string> Errors { get; } = [];

    public MappingConfiguration? Compile()
    {
        var caseFolding = ParseCaseFolding(document.Sku?.CaseFolding);
        var targets = CompileObjects();
        var owners = CompileOwnership(targets);
        var statuses = CompileStatuses(targets);
        var locations = CompileCodes("locations", document.Locations);
        var units = CompileCodes("units", document.Units);
        var countries = CompileCountryAliases();
        var subdivisions = CompileSubdivisionAliases();
        var carriers = CompileCarriers();
        if (Errors.Count > 0)
        {
            return null;
        }

        var sku = new SkuNormaliser(caseFolding);
        return new(sku, countries, subdivisions, statuses, locations, units, carriers, new OwnershipPolicy(owners, targets, statuses, locations));
    }

    private SkuCaseFolding ParseCaseFolding(string? value)
    {
        switch (value)
        {
            case null or "upper": return SkuCaseFolding.Upper;
            case "lower": return SkuCaseFolding.Lower;
            case "none": return SkuCaseFolding.None;
            default:
                Errors.Add($"sku.caseFolding: '{value}' is not one of none, upper, lower.");
                return SkuCaseFolding.Upper;
        }
    }

    /// <summary>[object][field][system] → where the field goes, or null when it is not mapped there.</summary>
    private OwnershipPolicy.TargetPlan?[][][] CompileObjects()
    {
        var targets = FieldCatalog.Objects.Select(o => o.Fields.Select(_ => new OwnershipPolicy.TargetPlan?[3]).ToArray()).ToArray();
        if (document.Objects is null)
        {
            Errors.Add("objects: is required (canonical object → field → system → target field).");
            return targets;
        }

        foreach (var (objectName, fields) in document.Objects)
        {
            if (fields is null)
            {
                Errors.Add($"objects.{objectName}: must be an object of fields, not null.");
                continue;
            }

            if (!FieldCatalog.ByName.TryGetValue(objectName, out var definition))
            {
                Errors.Add($"objects.{objectName}: unknown object; known objects are {string.Join(", ", FieldCatalog.Objects.Select(o => o.Name))}.");
                continue;
            }

            foreach (var (fieldName, systems) in fields)
            {
                var path = $"objects.{objectName}.{fieldName}";
                var f = Array.FindIndex(definition.Fields, d => d.Name == fieldName);
                if (f < 0)
                {
                    Errors.Add($"{path}: unknown field of {objectName}; known fields are {string.Join(", ", definition.Fields.Select(d => d.Name))}.");
                    continue;
                }

                if (systems is null)
                {
                    Errors.Add($"{path}: must be an object of system → target field, not null.");
                    continue;
                }

                if (systems.Count == 0)
                {
                    Errors.Add($"{path}: maps to no system; add a target ({SystemList}) or remove the field.");
                }

                var field = definition.Fields[f];
                if (field.Child is { } child && (!document.Objects.TryGetValue(child, out var childFields) || childFields is not { Count: > 0 }))
                {
                    Errors.Add($"{path}: holds {child} records, but objects.{child} maps no field.");
                }

                foreach (var (systemName, target) in systems)
                {
                    if (!FieldCatalog.TryParseSystem(systemName, out var system))
                    {
                        Errors.Add($"{path}.{systemName}: unknown system; use {SystemList}.");
                    }
                    else if (target is null || string.IsNullOrWhiteSpace(target.Field))
                    {
                        Errors.Add($"{path}.{systemName}: the target field name is empty.");
                    }
                    else
                    {
                        targets[definition.Index][f][(int)system] = new(target.Field, ParseTransform($"{path}.{systemName}", objectName, field, target.Transform));
                    }
                }
            }
        }

        return targets;
    }

    private FieldTransform ParseTransform(string path, string objectName, FieldDefinition field, string? name)
    {
        if (name is null)
        {
            return FieldTransform.None;
        }

        if (!FieldTransforms.ByName.TryGetValue(name, out var transform))
        {
            Errors.Add($"{path}: unknown transform '{name}'; known transforms are {string.Join(", ", FieldTransforms.ByName.Keys.Order(StringComparer.Ordinal))}.");
        }
        else if (!transform.AppliesTo.Contains(field.Kind))
        {
            Errors.Add($"{path}: transform '{name}' does not apply to {objectName}.{field.Name}, a {Describe(field.Kind)} field; it applies to {string.Join(", ", transform.AppliesTo.Select(Describe))} fields.");
        }

        return transform.Transform;
    }

    private static string Describe(FieldKind kind) => kind.ToString().ToLowerInvariant();

    private SystemName?[][] CompileOwnership(OwnershipPolicy.TargetPlan?[][][] targets)
    {
        var owners = FieldCatalog.Objects.Select(o => new SystemName?[o.Fields.Length]).ToArray();
        var listed = new Dictionary<(int, int), List<SystemName>>();
        if (document.Ownership is null)
        {
            Errors.Add($"ownership: is required (system → the object.field names it owns, for {SystemList}).");
            return owners;
        }

        foreach (var (systemName, names) in document.Ownership)
        {
            var path = $"ownership.{systemName}";
            if (!FieldCatalog.TryParseSystem(systemName, out var system))
            {
                Errors.Add($"{path}: unknown system; use {SystemList}.");
                continue;
            }

            if (names is null)
            {
                Errors.Add($"{path}: must be a list of object.field names, not null.");
                continue;
            }

            foreach (var name in names)
            {
                if (name is null)
                {
                    Errors.Add($"{path}: lists null; list object.field names, e.g. product.price.");
                    continue;
                }

                var dot = name.IndexOf('.', StringComparison.Ordinal);
                if (dot <= 0 || !FieldCatalog.ByName.TryGetValue(name[..dot], out var definition)
                    || Array.FindIndex(definition.Fields, d => d.Name == name[(dot + 1)..]) is var f && f < 0)
                {
                    Errors.Add($"{path}: unknown field '{name}'; name fields as object.field, e.g. product.price.");
                    continue;
                }

                if (targets[definition.Index][f].All(t => t is null))
                {
                    Errors.Add($"{path}: '{name}' is not mapped under objects.{definition.Name}; map it or remove it from the list.");
                    continue;
                }

                if (!listed.TryGetValue((definition.Index, f), out var systems))
                {
                    listed[(definition.Index, f)] = systems = [];
                }

                if (systems.Contains(system))
                {
                    Errors.Add($"{path}: '{name}' is listed twice.");
                    continue;
                }

                systems.Add(system);
            }
        }

        foreach (var definition in FieldCatalog.Objects)
        {
            for (var f = 0; f < definition.Fields.Length; f++)
            {
                if (targets[definition.Index][f].All(t => t is null))
                {
                    continue;
                }

                var name = $"{definition.Name}.{definition.Fields[f].Name}";
                var systems = listed.GetValueOrDefault((definition.Index, f)) ?? [];
                if (systems.Count == 0)
                {
                    Errors.Add($"{name}: has no owner; list it under exactly one of ownership.bigcommerce, ownership.erp, ownership.crm.");
                }
                else if (systems.Count > 1)
                {
                    Errors.Add($"{name}: has {systems.Count} owners ({string.Join(", ", systems.Select(s => $"ownership.{FieldCatalog.NameOf(s)}"))}); keep it under one.");
                }
                else
                {
                    owners[definition.Index][f] = systems[0];
                }
            }
        }

        return owners;
    }

    private StatusTable CompileStatuses(OwnershipPolicy.TargetPlan?[][][] targets)
    {
        var tables = new Dictionary<SystemName, (Dictionary<string, OrderStatus>, Dictionary<OrderStatus, string>)>();
        var known = string.Join(", ", Enum.GetNames<OrderStatus>().Select(JsonNamingPolicy.CamelCase.ConvertName));
        foreach (var (systemName, table) in document.Statuses ?? [])
        {
            var path = $"statuses.{systemName}";
            if (!FieldCatalog.TryParseSystem(systemName, out var system))
            {
                Errors.Add($"{path}: unknown system; use {SystemList}.");
                continue;
            }

            var to = new Dictionary<string, OrderStatus>(StringComparer.Ordinal);
            var from = new Dictionary<OrderStatus, string>();
            if (table?.ToCanonical is null || table.FromCanonical is null)
            {
                Errors.Add($"{path}: needs both toCanonical ({systemName} value → status) and fromCanonical (status → {systemName} value).");
            }

            foreach (var (value, statusName) in table?.ToCanonical ?? [])
            {
                if (!TryParseStatus(statusName, out var status))
                {
                    Errors.Add($"{path}.toCanonical.{value}: unknown status '{statusName}'; known statuses are {known}.");
                }
                else if (CheckValue($"{path}.toCanonical", system, value))
                {
                    to[value] = status;
                }
            }

            foreach (var (statusName, value) in table?.FromCanonical ?? [])
            {
                if (!TryParseStatus(statusName, out var status))
                {
                    Errors.Add($"{path}.fromCanonical.{statusName}: unknown status; known statuses are {known}.");
                }
                else if (!CheckValue($"{path}.fromCanonical.{statusName}", system, value))
                {
                    continue;
                }
                else if (!from.TryAdd(status, value))
                {
                    Errors.Add($"{path}.fromCanonical.{statusName}: {status} is listed twice.");
                }
            }

            tables[system] = (to, from);
        }

        var order = FieldCatalog.Objects[FieldCatalog.Order];
        var statusField = Array.FindIndex(order.Fields, f => f.Kind == FieldKind.Status);
        foreach (var system in FieldCatalog.Systems)
        {
            if (targets[FieldCatalog.Order][statusField][(int)system] is not null && !tables.ContainsKey(system))
            {
                Errors.Add($"objects.order.status.{FieldCatalog.NameOf(system)}: statuses.{FieldCatalog.NameOf(system)} is missing; a status written to {FieldCatalog.NameOf(system)} needs its table.");
            }
        }

        return new StatusTable(tables);
    }

    private bool CheckValue(string path, SystemName system, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Errors.Add($"{path}: the {FieldCatalog.NameOf(system)} value is empty.");
            return false;
        }

        if (system == SystemName.BigCommerce
            && !(int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
                 && id.ToString(System.Globalization.CultureInfo.InvariantCulture) == value))
        {
            Errors.Add($"{path}: '{value}' is not a BigCommerce status id (a whole number, e.g. 11 for Awaiting Fulfillment).");
            return false;
        }

        return true;
    }

    // By name only: Enum.TryParse would also take "1" and "pending,shipped".
    private static bool TryParseStatus(string? name, out OrderStatus status)
    {
        foreach (var candidate in Enum.GetValues<OrderStatus>())
        {
            if (string.Equals(candidate.ToString(), name, StringComparison.OrdinalIgnoreCase))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }

    private CodeMap CompileCodes(string section, Dictionary<string, Dictionary<string, string>>? codes)
    {
        var compiled = new Dictionary<string, Dictionary<SystemName, string>>(StringComparer.Ordinal);
        var seen = new Dictionary<(SystemName, string), string>();
        foreach (var (code, systems) in codes ?? [])
        {
            var ids = new Dictionary<SystemName, string>();
            if (systems is null)
            {
                Errors.Add($"{section}.{code}: must be an object of system → value, not null.");
                continue;
            }

            foreach (var (systemName, value) in systems)
            {
                var path = $"{section}.{code}.{systemName}";
                if (!FieldCatalog.TryParseSystem(systemName, out var system))
                {
                    Errors.Add($"{path}: unknown system; use {SystemList}.");
                }
                else if (string.IsNullOrWhiteSpace(value))
                {
                    Errors.Add($"{path}: the {systemName} value is empty.");
                }
                else if (!seen.TryAdd((system, value), code))
                {
                    Errors.Add($"{path}: '{value}' is already the {systemName} value of {section}.{seen[(system, value)]}; a value maps to one code.");
                }
                else
                {
                    ids[system] = value;
                }
            }

            compiled[code] = ids;
        }

        return new CodeMap(section, compiled);
    }

    // BigCommerce's documented shipping_provider values (orders.v2.oas2.yml, shipping_provider_standard); any other
    // carrier is either a third-party provider (carrier_{id}) or announced by tracking_carrier alone.
    private static readonly string[] ShippingProviders = ["auspost", "canadapost", "endicia", "usps", "fedex", "ups", "upsready", "upsonline", "shipperhq", "royalmail"];

    private CarrierMap CompileCarriers()
    {
        var carriers = new Dictionary<string, CarrierMapping>(StringComparer.Ordinal);
        foreach (var (code, carrier) in document.Carriers ?? [])
        {
            var path = $"{CarrierMap.Section}.{code}";
            if (string.IsNullOrWhiteSpace(code) || code.Trim() != code)
            {
                Errors.Add($"{path}: '{code}' is not an ERP carrier code (empty, or with leading or trailing spaces).");
                continue;
            }

            if (carrier is null)
            {
                Errors.Add($"{path}: must be {{ \"shippingProvider\": ..., \"trackingCarrier\": ... }}, not null.");
                continue;
            }

            var provider = carrier.ShippingProvider;
            var tracking = carrier.TrackingCarrier ?? string.Empty;
            var valid = true;
            if (provider is null)
            {
                Errors.Add($"{path}.shippingProvider: is required (one of {string.Join(", ", ShippingProviders)}, carrier_{{id}} for a third-party provider, or \"\" to rely on trackingCarrier).");
                valid = false;
            }
            else if (provider.Length > 0 && !ShippingProviders.Contains(provider, StringComparer.Ordinal) && !IsThirdPartyProvider(provider))
            {
                Errors.Add($"{path}.shippingProvider: '{provider}' is not a BigCommerce shipping provider; use one of {string.Join(", ", ShippingProviders)}, carrier_{{id}} for a third-party provider, or \"\" with a trackingCarrier.");
                valid = false;
            }

            if (!tracking.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                Errors.Add($"{path}.trackingCarrier: '{tracking}' is not an AfterShip courier slug (lower-case letters, digits and hyphens, e.g. dhl, royal-mail).");
                valid = false;
            }
            else if (valid && provider!.Length == 0 && tracking.Length == 0)
            {
                Errors.Add($"{path}: shippingProvider and trackingCarrier are both empty; set at least one so BigCommerce can link the tracking number.");
                valid = false;
            }

            if (valid)
            {
                carriers[code] = new CarrierMapping(provider!, tracking);
            }
        }

        if (carriers.Count > 0)
        {
            // Shipments move the BigCommerce order to Partially Shipped or Shipped: both need a BigCommerce status id.
            var table = document.Statuses?.GetValueOrDefault("bigcommerce")?.FromCanonical;
            foreach (var status in new[] { OrderStatus.PartiallyShipped, OrderStatus.Shipped })
            {
                if (table is null || !table.Keys.Any(k => string.Equals(k, status.ToString(), StringComparison.OrdinalIgnoreCase)))
                {
                    Errors.Add($"{CarrierMap.Section}: shipments set the order status {JsonNamingPolicy.CamelCase.ConvertName(status.ToString())}; map it in statuses.bigcommerce.fromCanonical.");
                }
            }
        }

        return new CarrierMap(carriers);
    }

    private static bool IsThirdPartyProvider(string provider) =>
        provider.StartsWith("carrier_", StringComparison.Ordinal) && provider.Length > "carrier_".Length
        && provider.Skip("carrier_".Length).All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-');

    private CountryNormaliser CompileCountryAliases()
    {
        var aliases = document.Aliases?.Countries ?? [];
        foreach (var (name, code) in aliases)
        {
            if (code is null || !CountryNormaliser.IsAlpha2(code))
            {
                Errors.Add($"aliases.countries.{name}: '{code}' is not an ISO 3166-1 alpha-2 code (upper-case, e.g. US).");
            }
        }

        return new CountryNormaliser(aliases.Where(a => a.Value is not null && CountryNormaliser.IsAlpha2(a.Value)).ToDictionary());
    }

    private SubdivisionNormaliser CompileSubdivisionAliases()
    {
        var aliases = document.Aliases?.Subdivisions ?? [];
        foreach (var (name, code) in aliases)
        {
            if (code is null || !SubdivisionNormaliser.IsKnownCode(code))
            {
                Errors.Add($"aliases.subdivisions.{name}: '{code}' is not an ISO 3166-2 code of {string.Join(", ", SubdivisionNormaliser.CountriesWithTables.Order(StringComparer.Ordinal))} (e.g. US-CA).");
            }
        }

        return new SubdivisionNormaliser(aliases.Where(a => a.Value is not null && SubdivisionNormaliser.IsKnownCode(a.Value)).ToDictionary());
    }
}
