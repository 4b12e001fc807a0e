using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;

namespace Integration.Standalone.OperatorConsole;

/// <summary>Markup that is already HTML (never user or stored data): appended as is.</summary>
public readonly record struct Markup(string Value);

/// <summary>
/// Builds a page from interpolated strings whose literals are markup and whose holes are always HTML-encoded
/// (except <see cref="Markup"/>), so stored values can never inject markup.
/// </summary>
public sealed class Html
{
    private readonly StringBuilder _builder = new();

    public Html Add([InterpolatedStringHandlerArgument("")] ref Handler handler)
    {
        _ = handler;
        return this;
    }

    public static string Encode(object? value) => HtmlEncoder.Default.Encode(value switch
    {
        null => string.Empty,
        DateTimeOffset at => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    });

    public override string ToString() => _builder.ToString();

    [InterpolatedStringHandler]
    public readonly ref struct Handler
    {
        private readonly StringBuilder _builder;

        public Handler(int literalLength, int formattedCount, Html html)
        {
            ArgumentNullException.ThrowIfNull(html);
            _ = formattedCount;
            _builder = html._builder;
            _builder.EnsureCapacity(_builder.Length + literalLength);
        }

        public void AppendLiteral(string value) => _builder.Append(value);

        public void AppendFormatted(Markup value) => _builder.Append(value.Value);

        public void AppendFormatted<T>(T value) => _builder.Append(Encode(value));

        public void AppendFormatted<T>(T value, string format)
            where T : IFormattable => _builder.Append(Encode(value.ToString(format, CultureInfo.InvariantCulture)));
    }
}
