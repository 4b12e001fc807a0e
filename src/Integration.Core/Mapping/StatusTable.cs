using System.Collections.Frozen;
using Integration.Core.Model;

namespace Integration.Core.Mapping;

/// <summary>
/// Order status translation: BigCommerce status id ↔ <see cref="OrderStatus"/> ↔ ERP state ↔ CRM stage, from
/// the mapping file's <c>statuses</c> section. A value without a translation is a <see cref="MappingException"/>,
/// never a default.
/// </summary>
public sealed class StatusTable
{
    private readonly FrozenDictionary<string, OrderStatus>?[] _toCanonical = new FrozenDictionary<string, OrderStatus>?[3];
    private readonly string?[][] _fromCanonical = new string?[3][];

    internal StatusTable(IReadOnlyDictionary<SystemName, (Dictionary<string, OrderStatus> To, Dictionary<OrderStatus, string> From)> tables)
    {
        foreach (var (system, (to, from)) in tables)
        {
            _toCanonical[(int)system] = to.ToFrozenDictionary(StringComparer.Ordinal);
            var values = new string?[Enum.GetValues<OrderStatus>().Length];
            foreach (var (status, value) in from)
            {
                values[(int)status] = value;
            }

            _fromCanonical[(int)system] = values;
        }
    }

    /// <summary>The canonical status of <paramref name="system"/>'s status <paramref name="value"/> (a BigCommerce id as text).</summary>
    public OrderStatus ToCanonical(SystemName system, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var name = FieldCatalog.NameOf(system);
        return _toCanonical[(int)system] is { } table && table.TryGetValue(value, out var status)
            ? status
            : throw new MappingException(
                $"Order status '{MappingException.Visible(value)}' of {name} has no canonical status; add it to statuses.{name}.toCanonical in the mapping file.",
                $"statuses.{name}.toCanonical");
    }

    /// <summary><paramref name="system"/>'s value for <paramref name="status"/>.</summary>
    public string FromCanonical(SystemName system, OrderStatus status)
    {
        var name = FieldCatalog.NameOf(system);
        return _fromCanonical[(int)system] is { } values && (uint)status < (uint)values.Length && values[(int)status] is { } value
            ? value
            : throw new MappingException(
                $"Order status {status} has no {name} value; add it to statuses.{name}.fromCanonical in the mapping file.",
                $"statuses.{name}.fromCanonical");
    }
}
