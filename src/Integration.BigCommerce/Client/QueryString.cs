using System.Globalization;
using System.Text;

namespace Integration.BigCommerce.Client;

/// <summary>An immutable, escaped query string; <c>:in</c> filters are comma-separated lists.</summary>
internal readonly struct QueryString
{
    private readonly string? _value;

    private QueryString(string value)
    {
        _value = value;
    }

    public static QueryString Empty => default;

    public QueryString With(string name, string? value) =>
        value is null ? this : new((_value is null ? "?" : _value + "&") + name + "=" + Uri.EscapeDataString(value));

    public QueryString With(string name, long value) => With(name, value.ToString(CultureInfo.InvariantCulture));

    public QueryString With(string name, DateTimeOffset? value) =>
        value is { } v ? With(name, v.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture)) : this;

    public QueryString WithList<T>(string name, IReadOnlyCollection<T>? values)
    {
        if (values is not { Count: > 0 })
        {
            return this;
        }

        var text = new StringBuilder();
        foreach (var value in values)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(string.Format(CultureInfo.InvariantCulture, "{0}", value));
        }

        return With(name, text.ToString());
    }

    public override string ToString() => _value ?? string.Empty;

    public static string operator +(string path, QueryString query) => path + query.ToString();
}
