namespace Integration.Core.Mapping;

/// <summary>
/// A value the mapping cannot translate: an unmapped status, an unresolvable country, a SKU that normalises to
/// nothing. It is permanent (retrying cannot help): the processor quarantines the record, and the message names
/// the value (never personal data) and the part of the mapping to extend.
/// </summary>
public sealed class MappingException : Exception
{
    public MappingException()
    {
    }

    public MappingException(string message)
        : base(message)
    {
    }

    public MappingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MappingException(string message, string mapping)
        : base(message) => Mapping = mapping;

    /// <summary>The part of the mapping (or built-in table) to extend, e.g. <c>statuses.erp.fromCanonical</c>.</summary>
    public string? Mapping { get; }

    /// <summary>Always false: a mapping error does not go away by retrying.</summary>
#pragma warning disable CA1822 // An instance member so callers classify every error type the same way.
    public bool IsTransient => false;
#pragma warning restore CA1822
}
