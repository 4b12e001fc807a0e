using Integration.Core.Model;

namespace Integration.Core.Mapping;

/// <summary>One field of a write: the canonical field, the target system's field name and the value to write.</summary>
/// <param name="Field">The canonical field name (e.g. <c>unitPrice</c>).</param>
/// <param name="TargetField">The field in the target system (e.g. <c>unit_price</c>), from the mapping file.</param>
/// <param name="Value">
/// The value, already translated for the target (statuses, locations, transforms); a <see cref="RecordWrite"/> for a
/// nested record and a <see cref="RecordWrite"/>[] for a list of them.
/// </param>
public readonly record struct FieldWrite(string Field, string TargetField, object? Value);

/// <summary>
/// What may be written to one system for one record: only fields the source owns, never fields the target owns.
/// Only <see cref="OwnershipPolicy"/> creates these, so a connector that accepts a <see cref="RecordWrite"/>
/// cannot be handed a write that bypassed the policy.
/// </summary>
public sealed class RecordWrite
{
    internal RecordWrite(string objectName, string? key, SystemName source, SystemName target, FieldWrite[] fields, string[] rejected)
    {
        ObjectName = objectName;
        Key = key;
        Source = source;
        Target = target;
        Fields = fields;
        Rejected = rejected;
    }

    /// <summary>The canonical object (<c>order</c>, <c>orderLine</c>, ...).</summary>
    public string ObjectName { get; }

    /// <summary>The record's natural key (SKU, e-mail, order natural key); null for addresses.</summary>
    public string? Key { get; }

    public SystemName Source { get; }

    public SystemName Target { get; }

    /// <summary>The fields to write, in the canonical order of the object. Absent (null) source values are left out.</summary>
    public IReadOnlyList<FieldWrite> Fields { get; }

    /// <summary>Fields proposed to <see cref="OwnershipPolicy.Filter"/> and dropped as policy violations.</summary>
    public IReadOnlyList<string> Rejected { get; }

    /// <summary>True when there is nothing to write (the source owns none of the target's fields).</summary>
    public bool IsEmpty => Fields.Count == 0;

    /// <summary>The value for a canonical field, if the write carries it.</summary>
    public bool TryGetValue(string field, out object? value)
    {
        foreach (var write in Fields)
        {
            if (write.Field == field)
            {
                value = write.Value;
                return true;
            }
        }

        value = null;
        return false;
    }
}
