using System.Text.Json;

namespace Integration.Core.Mapping;

/// <summary>
/// A validated mapping file, compiled: normalisers, status tables, location and unit maps, and the ownership
/// policy. Built once at start-up; every mistake in the file is reported at once, each with its path in the file.
/// </summary>
public sealed class MappingConfiguration
{
    /// <summary>The name of the default mapping embedded in the core (also copied to the output folder).</summary>
    public const string DefaultFileName = "mapping.default.json";

    private static readonly Lazy<MappingConfiguration> DefaultLazy = new(() =>
    {
        using var stream = typeof(MappingConfiguration).Assembly.GetManifestResourceStream("Integration.Core.Mapping.mapping.default.json")
            ?? throw new InvalidOperationException("The embedded mapping.default.json is missing from Integration.Core.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "the default mapping");
    });

    internal MappingConfiguration(
        SkuNormaliser sku, CountryNormaliser countries, SubdivisionNormaliser subdivisions, StatusTable statuses, CodeMap locations, CodeMap units, CarrierMap carriers, OwnershipPolicy policy)
    {
        Sku = sku;
        Countries = countries;
        Subdivisions = subdivisions;
        Statuses = statuses;
        Locations = locations;
        Units = units;
        Carriers = carriers;
        Policy = policy;
        Records = new RecordNormaliser(sku, countries, subdivisions);
    }

    /// <summary>The default mapping for BigCommerce + Tryton + the CRM (<c>mapping.default.json</c>).</summary>
    public static MappingConfiguration Default => DefaultLazy.Value;

    public SkuNormaliser Sku { get; }

    public CountryNormaliser Countries { get; }

    public SubdivisionNormaliser Subdivisions { get; }

    public StatusTable Statuses { get; }

    /// <summary>Canonical location codes ↔ BigCommerce location ids ↔ ERP warehouses.</summary>
    public CodeMap Locations { get; }

    public CodeMap Units { get; }

    /// <summary>ERP carrier → BigCommerce shipping provider and tracking carrier (the <c>carriers</c> section).</summary>
    public CarrierMap Carriers { get; }

    public OwnershipPolicy Policy { get; }

    /// <summary>Normalises whole canonical records with this configuration's settings.</summary>
    public RecordNormaliser Records { get; }

    /// <summary>Reads and compiles a mapping file.</summary>
    /// <exception cref="MappingConfigurationException">The file is missing, is not valid JSON, or has mistakes.</exception>
    public static MappingConfiguration Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MappingConfigurationException(path, [$"cannot be read: {e.Message}"]);
        }

        return Parse(json, path);
    }

    /// <summary>Parses and compiles mapping JSON.</summary>
    /// <param name="json">The mapping file's text.</param>
    /// <param name="source">Names the file in error messages.</param>
    /// <exception cref="MappingConfigurationException">The JSON is not valid or the mapping has mistakes.</exception>
    public static MappingConfiguration Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        MappingDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, MappingDocumentJsonContext.Default.MappingDocument);
        }
        catch (JsonException e)
        {
            throw new MappingConfigurationException(source, [$"{e.Path ?? "$"}: {FirstSentence(e.Message)}"]);
        }

        if (document is null)
        {
            throw new MappingConfigurationException(source, ["$: the mapping must be a JSON object."]);
        }

        var compiler = new MappingCompiler(document);
        var configuration = compiler.Compile();
        return compiler.Errors.Count == 0 && configuration is not null
            ? configuration
            : throw new MappingConfigurationException(source, compiler.Errors);
    }

    // STJ appends "Path: ... | LineNumber: ..." to its messages; the path is reported separately.
    private static string FirstSentence(string message) =>
        message.IndexOf(" Path:", StringComparison.Ordinal) is var cut and > 0 ? message[..cut] : message;
}
