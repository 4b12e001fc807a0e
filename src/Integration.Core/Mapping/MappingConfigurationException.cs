namespace Integration.Core.Mapping;

/// <summary>The mapping file has mistakes; <see cref="Errors"/> lists each with its path in the file.</summary>
public sealed class MappingConfigurationException : Exception
{
    public MappingConfigurationException()
    {
    }

    public MappingConfigurationException(string message)
        : base(message)
    {
    }

    public MappingConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MappingConfigurationException(string source, IReadOnlyList<string> errors)
        : base($"The mapping in {source} is not valid:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}")
    {
        Origin = source;
        Errors = errors;
    }

    /// <summary>The file (or description) the mapping came from.</summary>
    public string? Origin { get; }

    /// <summary>The problems, each starting with its path in the file (e.g. <c>objects.product.price.erp: ...</c>).</summary>
    public IReadOnlyList<string> Errors { get; } = [];
}
