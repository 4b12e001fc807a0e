using System.Collections.Frozen;

namespace Integration.Core.Mapping;

/// <summary>The transforms a mapping file may put on a target field, and the field kinds each applies to.</summary>
internal enum FieldTransform
{
    None,
    Upper,
    Lower,
    Negate,
    CountryAlpha3,
    SubdivisionLocal,
    SubdivisionName,
}

internal static class FieldTransforms
{
    public static FrozenDictionary<string, (FieldTransform Transform, FieldKind[] AppliesTo)> ByName { get; } =
        new Dictionary<string, (FieldTransform, FieldKind[])>
        {
            // "none" applies to every kind; the others only where they make sense.
            ["none"] = (FieldTransform.None, Enum.GetValues<FieldKind>()),
            ["upper"] = (FieldTransform.Upper, [FieldKind.Text, FieldKind.Sku, FieldKind.Email]),
            ["lower"] = (FieldTransform.Lower, [FieldKind.Text, FieldKind.Sku, FieldKind.Email]),
            ["negate"] = (FieldTransform.Negate, [FieldKind.Boolean]),
            ["countryAlpha3"] = (FieldTransform.CountryAlpha3, [FieldKind.Country]),
            ["subdivisionLocal"] = (FieldTransform.SubdivisionLocal, [FieldKind.Subdivision]),
            ["subdivisionName"] = (FieldTransform.SubdivisionName, [FieldKind.Subdivision]),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Applies a (validated) transform to a non-null canonical value.</summary>
    public static object Apply(FieldTransform transform, object value) => transform switch
    {
        FieldTransform.None => value,
        FieldTransform.Upper => ((string)value).ToUpperInvariant(),
        FieldTransform.Lower => ((string)value).ToLowerInvariant(),
        FieldTransform.Negate => !(bool)value,
        FieldTransform.CountryAlpha3 => CountryNormaliser.ToAlpha3((string)value),

        // US-CA → CA: for systems that store the code within its country.
        FieldTransform.SubdivisionLocal => ((string)value).IndexOf('-', StringComparison.Ordinal) is var dash and > 0
            ? ((string)value)[(dash + 1)..]
            : value,
        FieldTransform.SubdivisionName => SubdivisionNormaliser.NameOf((string)value),
        _ => throw new ArgumentOutOfRangeException(nameof(transform), transform, null),
    };
}
