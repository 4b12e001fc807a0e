using System.Collections.Frozen;
using Integration.Core.Model;

namespace Integration.Core.Mapping;

/// <summary>
/// A map between canonical codes and each system's own ids, for locations (BigCommerce location id ↔ ERP
/// warehouse) and units. An id or code that is not in the map is a <see cref="MappingException"/>.
/// </summary>
public sealed class CodeMap
{
    private readonly string _section;
    private readonly FrozenDictionary<string, string>[] _toCanonical;
    private readonly FrozenDictionary<string, string>[] _fromCanonical;

    internal CodeMap(string section, IReadOnlyDictionary<string, Dictionary<SystemName, string>> codes)
    {
        _section = section;
        _toCanonical = [.. FieldCatalog.Systems.Select(s => codes
            .Where(c => c.Value.ContainsKey(s))
            .ToFrozenDictionary(c => c.Value[s], c => c.Key, StringComparer.Ordinal))];
        _fromCanonical = [.. FieldCatalog.Systems.Select(s => codes
            .Where(c => c.Value.ContainsKey(s))
            .ToFrozenDictionary(c => c.Key, c => c.Value[s], StringComparer.Ordinal))];
        Codes = [.. codes.Keys];
    }

    /// <summary>The canonical codes, in file order.</summary>
    public IReadOnlyList<string> Codes { get; }

    /// <summary>The canonical code of <paramref name="system"/>'s id (e.g. BigCommerce location <c>1</c> → <c>main</c>).</summary>
    public string ToCanonical(SystemName system, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var name = FieldCatalog.NameOf(system);
        return _toCanonical[(int)system].TryGetValue(value, out var code)
            ? code
            : throw new MappingException(
                $"{name} {Singular} '{MappingException.Visible(value)}' is not in the mapping; add it under {_section} in the mapping file.",
                _section);
    }

    /// <summary><paramref name="system"/>'s id for a canonical code (e.g. <c>main</c> → ERP warehouse <c>WH</c>).</summary>
    public string FromCanonical(SystemName system, string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var name = FieldCatalog.NameOf(system);
        return _fromCanonical[(int)system].TryGetValue(code, out var value)
            ? value
            : throw new MappingException(
                $"{Singular} '{MappingException.Visible(code)}' has no {name} value; add \"{name}\" to {_section}.{code} in the mapping file.",
                $"{_section}.{code}");
    }

    /// <summary>Like <see cref="ToCanonical"/>, for values the caller may skip (a location the mapping leaves out).</summary>
    public bool TryToCanonical(SystemName system, string value, out string code) =>
        _toCanonical[(int)system].TryGetValue(value, out code!);

    /// <summary>Like <see cref="FromCanonical"/>, for codes the caller may skip (a location only one system has).</summary>
    public bool TryFromCanonical(SystemName system, string code, out string value) =>
        _fromCanonical[(int)system].TryGetValue(code, out value!);

    private string Singular => _section[..^1];
}
