using System.Diagnostics;
using Integration.Core.Model;

namespace Integration.Core.Mapping;

/// <summary>
/// One owner per field, enforced on every write. For each (object, source, target) the fields the source may
/// write to the target are worked out once at start-up: mapped to the target, owned by the source, and the
/// target is not the source. A write is then one call that walks that plan, so projecting an order costs a few
/// allocations per line and no lookups.
/// </summary>
public sealed class OwnershipPolicy
{
    private readonly SystemName?[][] _owners;
    private readonly PlannedField[][] _plans;
    private readonly StatusTable _statuses;
    private readonly CodeMap _locations;

    internal OwnershipPolicy(SystemName?[][] owners, TargetPlan?[][][] targets, StatusTable statuses, CodeMap locations)
    {
        _owners = owners;
        _statuses = statuses;
        _locations = locations;
        _plans = new PlannedField[FieldCatalog.Objects.Length * 9][];
        foreach (var definition in FieldCatalog.Objects)
        {
            foreach (var source in FieldCatalog.Systems)
            {
                foreach (var target in FieldCatalog.Systems)
                {
                    var plan = new List<PlannedField>();
                    for (var f = 0; f < definition.Fields.Length; f++)
                    {
                        if (source != target && owners[definition.Index][f] == source && targets[definition.Index][f][(int)target] is { } mapped)
                        {
                            var field = definition.Fields[f];
                            plan.Add(new(field, mapped.Field, mapped.Transform,
                                field.Child is null ? -1 : FieldCatalog.ByName[field.Child].Index));
                        }
                    }

                    _plans[PlanIndex(definition.Index, source, target)] = [.. plan];
                }
            }
        }
    }

    /// <summary>The owner of <c>object.field</c>, or null when the field is not mapped.</summary>
    public SystemName? OwnerOf(string objectName, string field) =>
        FieldCatalog.ByName.TryGetValue(objectName, out var definition) && IndexOf(definition, field) is var f and >= 0
            ? _owners[definition.Index][f]
            : null;

    /// <summary>The canonical fields of <paramref name="objectName"/> that <paramref name="source"/> may write to <paramref name="target"/>.</summary>
    public IReadOnlyList<string> WritableFields(string objectName, SystemName source, SystemName target)
    {
        var definition = FieldCatalog.ByName.TryGetValue(objectName, out var d)
            ? d
            : throw new ArgumentException($"Unknown object '{objectName}'.", nameof(objectName));
        return [.. _plans[PlanIndex(definition.Index, source, target)].Select(p => p.Field.Name)];
    }

    public RecordWrite Write(Product product, SystemName source, SystemName target) => Project(FieldCatalog.Product, product, source, target);

    public RecordWrite Write(ProductVariant variant, SystemName source, SystemName target) => Project(FieldCatalog.Variant, variant, source, target);

    public RecordWrite Write(InventoryLevel level, SystemName source, SystemName target) => Project(FieldCatalog.Inventory, level, source, target);

    public RecordWrite Write(Customer customer, SystemName source, SystemName target) => Project(FieldCatalog.Customer, customer, source, target);

    public RecordWrite Write(Company company, SystemName source, SystemName target) => Project(FieldCatalog.Company, company, source, target);

    /// <summary>The order fields (and those of its customer, addresses and lines) <paramref name="source"/> may write to <paramref name="target"/>.</summary>
    /// <exception cref="MappingException">A value has no translation for the target (status, location).</exception>
    public RecordWrite Write(Order order, SystemName source, SystemName target) => Project(FieldCatalog.Order, order, source, target);

    /// <summary>
    /// Filters an explicit set of field writes (by canonical field name) from <paramref name="source"/> to
    /// <paramref name="target"/>: a field the source does not own, the target owns, is unknown or is not mapped to
    /// the target is dropped, listed in <see cref="RecordWrite.Rejected"/> and counted as a policy violation.
    /// </summary>
    public RecordWrite Filter(string objectName, string? key, SystemName source, SystemName target, IEnumerable<KeyValuePair<string, object?>> proposed)
    {
        ArgumentNullException.ThrowIfNull(proposed);
        var definition = FieldCatalog.ByName.TryGetValue(objectName, out var d)
            ? d
            : throw new ArgumentException($"Unknown object '{objectName}'.", nameof(objectName));
        EnsureDistinct(source, target);
        var plan = _plans[PlanIndex(definition.Index, source, target)];
        var fields = new List<FieldWrite>();
        var rejected = new List<string>();
        foreach (var (name, value) in proposed)
        {
            var planned = Array.FindIndex(plan, p => p.Field.Name == name);
            if (planned < 0)
            {
                rejected.Add(name);
                MappingTelemetry.PolicyViolations.Add(1, new TagList
                {
                    { "object", objectName },
                    { "field", definition.ByName.ContainsKey(name) ? name : "(unknown)" },
                    { "source", FieldCatalog.NameOf(source) },
                    { "target", FieldCatalog.NameOf(target) },
                });
            }
            else if (value is not null)
            {
                fields.Add(Translate(plan[planned], value, source, target));
            }
        }

        return new(objectName, key, source, target, [.. fields], [.. rejected]);
    }

    private RecordWrite Project(int objectIndex, object record, SystemName source, SystemName target)
    {
        ArgumentNullException.ThrowIfNull(record);
        EnsureDistinct(source, target);
        var definition = FieldCatalog.Objects[objectIndex];
        var plan = _plans[PlanIndex(objectIndex, source, target)];
        var fields = plan.Length == 0 ? [] : new FieldWrite[plan.Length];
        var count = 0;
        foreach (var planned in plan)
        {
            if (planned.Field.Get(record) is { } value)
            {
                fields[count++] = Translate(planned, value, source, target);
            }
        }

        return new(definition.Name, definition.Key(record), source, target, count == fields.Length ? fields : fields[..count], []);
    }

    private FieldWrite Translate(PlannedField planned, object value, SystemName source, SystemName target)
    {
        var translated = planned.Field.Kind switch
        {
            FieldKind.Status => _statuses.FromCanonical(target, (OrderStatus)value),
            FieldKind.Location => _locations.FromCanonical(target, (string)value),
            FieldKind.Record => Project(planned.Child, value, source, target),
            // IReadOnlyList<T> is covariant, and every nested record is a reference type.
            FieldKind.Records => ProjectAll(planned.Child, (IReadOnlyList<object>)value, source, target),
            _ => FieldTransforms.Apply(planned.Transform, value),
        };
        return new(planned.Field.Name, planned.TargetField, translated);
    }

    private RecordWrite[] ProjectAll(int objectIndex, IReadOnlyList<object> records, SystemName source, SystemName target)
    {
        if (records.Count == 0)
        {
            return [];
        }

        var writes = new RecordWrite[records.Count];
        for (var i = 0; i < writes.Length; i++)
        {
            writes[i] = Project(objectIndex, records[i], source, target);
        }

        return writes;
    }

    private static void EnsureDistinct(SystemName source, SystemName target)
    {
        if (source == target)
        {
            throw new ArgumentException($"A record read from {FieldCatalog.NameOf(source)} is never written back to it.", nameof(target));
        }
    }

    private static int PlanIndex(int objectIndex, SystemName source, SystemName target) => (objectIndex * 9) + ((int)source * 3) + (int)target;

    private static int IndexOf(ObjectDefinition definition, string field) => Array.FindIndex(definition.Fields, f => f.Name == field);

    /// <summary>Where a field goes in one system, resolved from the mapping file.</summary>
    internal sealed record TargetPlan(string Field, FieldTransform Transform);

    private readonly record struct PlannedField(FieldDefinition Field, string TargetField, FieldTransform Transform, int Child);
}
