using Microsoft.Extensions.Options;

namespace Integration.Core.Mapping;

/// <summary>
/// Which mapping file the deployment uses.
/// </summary>
/// <remarks>
/// Bound from the <c>Mapping</c> section:
/// <code>
/// "Mapping": {
///   "Path": "mapping.json"   // relative to the application folder; absent = the built-in mapping.default.json
/// }
/// </code>
/// The file itself (objects, ownership, statuses, locations, units, aliases) is described in docs/mapping.md and
/// mapping.schema.json.
/// </remarks>
public sealed class MappingOptions
{
    public const string SectionName = "Mapping";

    public string? Path { get; set; }

    /// <summary>The full path of the configured file, or null for the built-in default.</summary>
    internal string? FullPath => string.IsNullOrWhiteSpace(Path) ? null : System.IO.Path.GetFullPath(Path, AppContext.BaseDirectory);

    /// <summary>Loads the configured mapping (or the default).</summary>
    internal MappingConfiguration Load() => FullPath is { } path ? MappingConfiguration.Load(path) : MappingConfiguration.Default;
}

/// <summary>Loads and checks the mapping file at start-up; every failure names <c>Mapping:Path</c> and the place in the file.</summary>
public sealed class MappingOptionsValidator : IValidateOptions<MappingOptions>
{
    public ValidateOptionsResult Validate(string? name, MappingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var key = $"{MappingOptions.SectionName}:Path";
        if (options.FullPath is { } path && !File.Exists(path))
        {
            return ValidateOptionsResult.Fail($"{key}: the mapping file '{path}' does not exist.");
        }

        try
        {
            options.Load();
            return ValidateOptionsResult.Success;
        }
        catch (MappingConfigurationException e)
        {
            return ValidateOptionsResult.Fail(e.Errors.Select(error => $"{key} ({e.Origin}): {error}"));
        }
    }
}
