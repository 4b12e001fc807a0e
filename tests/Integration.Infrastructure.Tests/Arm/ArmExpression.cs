using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Integration.Infrastructure.Tests.Arm;

/// <summary>ARM's <c>fail(message)</c>: the deployment stops with the template's own message.</summary>
internal sealed class ArmTemplateFailure(string message) : Exception(message);

/// <summary>A lambda value (<c>lambda('x', body)</c>) closed over the scope it was made in.</summary>
internal sealed record ArmLambda(IReadOnlyList<string> Parameters, ArmExpression.Node Body, ArmScope Scope);

/// <summary>
/// Evaluates the ARM template language expressions Bicep emits for this repository's templates (the subset the
/// templates use: parameters, variables, format, lambdas, union, createObject, reference to module outputs, ...),
/// so tests can see the values a deployment would produce for a sample parameter set. An unknown function fails
/// the test naming it rather than guessing.
/// </summary>
internal static class ArmExpression
{
    internal abstract record Node;

    private sealed record Literal(object? Value) : Node;

    private sealed record Call(string Name, IReadOnlyList<Node> Arguments) : Node;

    private sealed record Property(Node Target, string Name) : Node;

    private sealed record Index(Node Target, Node Key) : Node;

    /// <summary>Evaluates a template value: strings in brackets are expressions; objects and arrays recursively.</summary>
    public static object? EvaluateValue(JsonElement value, ArmScope scope) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() is { } s && IsExpression(s) ? Evaluate(Parse(s[1..^1]), scope) : Unescape(value.GetString()),
        JsonValueKind.Number => value.TryGetInt64(out var l) ? (object)l : value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.Array => value.EnumerateArray().Select(e => EvaluateValue(e, scope)).ToList(),
        JsonValueKind.Object => EvaluateObject(value, scope),
        _ => throw new InvalidOperationException($"Unexpected JSON value {value.ValueKind}."),
    };

    /// <summary>An object; a property-level <c>copy</c> (Bicep's for-expressions in properties) becomes arrays.</summary>
    private static Dictionary<string, object?> EvaluateObject(JsonElement value, ArmScope scope)
    {
        var result = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in value.EnumerateObject())
        {
            if (property.Name == "copy" && property.Value.ValueKind == JsonValueKind.Array
                && property.Value.EnumerateArray().All(c => c.TryGetProperty("input", out _)))
            {
                foreach (var loop in property.Value.EnumerateArray())
                {
                    var name = loop.GetProperty("name").GetString()!;
                    var count = (long)EvaluateValue(loop.GetProperty("count"), scope)!;
                    result[name] = Enumerable.Range(0, (int)count)
                        .Select(i => EvaluateValue(loop.GetProperty("input"), scope.WithLambdaVariable(CopyVariable(name), (long)i)))
                        .ToList();
                }
            }
            else
            {
                result[property.Name] = EvaluateValue(property.Value, scope);
            }
        }

        return result;
    }

    private static string CopyVariable(string loop) => "copyIndex:" + loop;

    private static bool IsExpression(string s) => s.Length >= 2 && s[0] == '[' && s[^1] == ']' && !s.StartsWith("[[", StringComparison.Ordinal);

    private static string? Unescape(string? s) => s is not null && s.StartsWith("[[", StringComparison.Ordinal) ? s[1..] : s;

    public static Node Parse(string text)
    {
        var parser = new Parser(text);
        var node = parser.ParseExpression();
        parser.ExpectEnd();
        return node;
    }

    public static object? Evaluate(Node node, ArmScope scope) => node switch
    {
        Literal l => l.Value,
        Property p => Member(Evaluate(p.Target, scope), p.Name),
        Index i => Member(Evaluate(i.Target, scope), Evaluate(i.Key, scope)),
        Call c => Invoke(c, scope),
        _ => throw new InvalidOperationException(node.ToString()),
    };

    private static object? Member(object? target, object? key) => (target, key) switch
    {
        (IDictionary<string, object?> o, string name) => o.TryGetValue(name, out var v) ? v
            : throw new KeyNotFoundException($"Property '{name}' not found (has: {string.Join(", ", o.Keys)})."),
        (IList<object?> a, long i) => a[(int)i],
        _ => throw new InvalidOperationException($"Cannot access [{key}] on {target?.GetType().Name ?? "null"}."),
    };

    private static object? Invoke(Call call, ArmScope scope)
    {
        var name = call.Name.ToLowerInvariant();
        // Functions whose arguments are not values (lambdas, lazily evaluated branches).
        switch (name)
        {
            case "lambda":
                var names = call.Arguments.SkipLast(1).Select(a => (string)Evaluate(a, scope)!).ToList();
                return new ArmLambda(names, call.Arguments[^1], scope);
            case "if":
                return Truthy(Evaluate(call.Arguments[0], scope)) ? Evaluate(call.Arguments[1], scope) : Evaluate(call.Arguments[2], scope);
        }

        var args = call.Arguments.Select(a => Evaluate(a, scope)).ToList();
        return name switch
        {
            "parameters" => scope.Parameter((string)args[0]!),
            "null" => null,
            "variables" => scope.Variable((string)args[0]!),
            "lambdavariables" => scope.LambdaVariable((string)args[0]!),
            "copyindex" => args.Count > 0 && args[0] is string loop
                ? (long)scope.LambdaVariable(CopyVariable(loop))!
                : (long)(scope.CopyIndex ?? throw new InvalidOperationException("copyIndex() outside a copy loop.")) + (args.Count > 0 ? (long)args[0]! : 0),
            "format" => string.Format(CultureInfo.InvariantCulture, (string)args[0]!, args.Skip(1).Select(Text).ToArray()),
            "concat" => args.Count > 0 && args[0] is IList<object?>
                ? args.SelectMany(a => (IList<object?>)a!).ToList()
                : string.Concat(args.Select(Text)),
            "string" => Text(args[0]),
            "tolower" => ((string)args[0]!).ToLowerInvariant(),
            "toupper" => ((string)args[0]!).ToUpperInvariant(),
            "replace" => ((string)args[0]!).Replace((string)args[1]!, (string)args[2]!, StringComparison.Ordinal),
            "join" => string.Join((string)args[1]!, ((IList<object?>)args[0]!).Select(Text)),
            "split" => ((string)args[0]!).Split((string)args[1]!).Select(s => (object?)s).ToList(),
            "empty" => args[0] switch { null => true, string s => s.Length == 0, IList<object?> a => a.Count == 0, IDictionary<string, object?> o => o.Count == 0, _ => false },
            "not" => !Truthy(args[0]),
            "and" => args.All(Truthy),
            "or" => args.Any(Truthy),
            "first" => args[0] switch { string s => s.Length == 0 ? string.Empty : s[..1], IList<object?> a => a.Count == 0 ? null : a[0], _ => throw new InvalidOperationException("first()") },
            "substring" => ((string)args[0]!).Substring((int)(long)args[1]!, (int)(long)args[2]!),
            "contains" => args[0] switch
            {
                string s => s.Contains(Text(args[1]), StringComparison.Ordinal), // ARM compares strings case-sensitively here
                IList<object?> a => a.Contains(args[1]),
                IDictionary<string, object?> o => o.ContainsKey((string)args[1]!),
                _ => throw new InvalidOperationException("contains()"),
            },
            "fail" => throw new ArmTemplateFailure((string)args[0]!),
            "equals" => Equals(args[0], args[1]),
            "length" => args[0] switch { string s => (long)s.Length, IList<object?> a => a.Count, IDictionary<string, object?> o => (long)o.Count, _ => throw new InvalidOperationException("length()") },
            "greater" => (long)args[0]! > (long)args[1]!,
            "less" => (long)args[0]! < (long)args[1]!,
            "add" => (long)args[0]! + (long)args[1]!,
            "sub" => (long)args[0]! - (long)args[1]!,
            "mul" => (long)args[0]! * (long)args[1]!,
            "range" => Enumerable.Range((int)(long)args[0]!, (int)(long)args[1]!).Select(i => (object?)(long)i).ToList(),
            "createarray" => args.ToList(),
            "createobject" => Pairs(args),
            "union" => Union(args),
            "items" => ((IDictionary<string, object?>)args[0]!).OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase)
                .Select(p => (object?)Pairs(["key", p.Key, "value", p.Value])).ToList(),
            "flatten" => ((IList<object?>)args[0]!).SelectMany(a => (IList<object?>)a!).ToList(),
            "map" => ((IList<object?>)args[0]!).Select(e => Apply((ArmLambda)args[1]!, e)).ToList(),
            "filter" => ((IList<object?>)args[0]!).Where(e => Truthy(Apply((ArmLambda)args[1]!, e))).ToList(),
            "toobject" => ((IList<object?>)args[0]!).ToDictionary(
                e => (string)Apply((ArmLambda)args[1]!, e)!,
                e => args.Count > 2 ? Apply((ArmLambda)args[2]!, e) : e,
                StringComparer.OrdinalIgnoreCase),
            "uniquestring" => UniqueString(args.Select(Text)),
            "guid" => new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("|", args.Select(Text))))[..16]).ToString(),
            "environment" => ArmScope.Environment,
            "subscription" => ArmScope.Subscription,
            "tenant" => ArmScope.Tenant,
            "resourcegroup" => ArmScope.ResourceGroup,
            "resourceid" or "subscriptionresourceid" => ResourceId(null, args),
            "extensionresourceid" => ResourceId((string)args[0]!, args.Skip(1).ToList()),
            "reference" => scope.Reference((string)args[0]!),
            _ => throw new NotSupportedException($"The test's ARM evaluator does not know the function '{call.Name}'."),
        };
    }

    private static object? Apply(ArmLambda lambda, object? argument) =>
        Evaluate(lambda.Body, lambda.Scope.WithLambdaVariable(lambda.Parameters[0], argument));

    private static bool Truthy(object? value) => value is bool b ? b : throw new InvalidOperationException($"Expected a bool, got {value}.");

    private static Dictionary<string, object?> Pairs(List<object?> args)
    {
        var result = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i += 2)
        {
            result[(string)args[i]!] = args[i + 1];
        }

        return result;
    }

    private static object? Union(List<object?> args)
    {
        if (args[0] is IList<object?>)
        {
            return args.SelectMany(a => (IList<object?>)a!).Distinct().ToList();
        }

        var result = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var o in args.Cast<IDictionary<string, object?>>())
        {
            foreach (var (key, value) in o)
            {
                result[key] = value;
            }
        }

        return result;
    }

    private static string ResourceId(string? scope, List<object?> args)
    {
        var type = (string)args[0]!;
        var names = args.Skip(1).Select(Text).ToList();
        var typeParts = type.Split('/');
        var path = new StringBuilder(scope ?? ArmScope.SubscriptionId).Append("/providers/").Append(typeParts[0]);
        for (var i = 0; i < names.Count; i++)
        {
            path.Append('/').Append(typeParts[i + 1]).Append('/').Append(names[i]);
        }

        return path.ToString();
    }

    /// <summary>A stand-in for ARM's uniqueString: 13 lower-case characters, deterministic in its inputs.</summary>
    private static string UniqueString(IEnumerable<string> parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("|", parts)));
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        return new string(hash.Take(13).Select(b => alphabet[b % 32]).ToArray());
    }

    public static string Text(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString(CultureInfo.InvariantCulture),
        _ => JsonSerializer.Serialize(value),
    };

    private sealed class Parser(string text)
    {
        private int _position;

        public void ExpectEnd()
        {
            SkipSpace();
            if (_position != text.Length)
            {
                throw new FormatException($"Unexpected '{text[_position..]}' in [{text}].");
            }
        }

        public Node ParseExpression()
        {
            SkipSpace();
            var node = ParsePrimary();
            while (_position < text.Length)
            {
                if (text[_position] == '.')
                {
                    _position++;
                    node = new Property(node, Identifier());
                }
                else if (text[_position] == '[')
                {
                    _position++;
                    var key = ParseExpression();
                    Expect(']');
                    node = new Index(node, key);
                }
                else
                {
                    break;
                }
            }

            return node;
        }

        private Node ParsePrimary()
        {
            var c = text[_position];
            if (c == '\'')
            {
                return new Literal(StringLiteral());
            }

            if (char.IsDigit(c) || c == '-')
            {
                var start = _position++;
                while (_position < text.Length && char.IsDigit(text[_position]))
                {
                    _position++;
                }

                return new Literal(long.Parse(text[start.._position], CultureInfo.InvariantCulture));
            }

            var name = Identifier();
            if (name is "true" or "false" or "null" && (_position >= text.Length || text[_position] != '('))
            {
                return new Literal(name == "null" ? null : name == "true");
            }

            Expect('(');
            var arguments = new List<Node>();
            SkipSpace();
            if (text[_position] != ')')
            {
                do
                {
                    arguments.Add(ParseExpression());
                    SkipSpace();
                }
                while (TryTake(','));
            }

            Expect(')');
            return new Call(name, arguments);
        }

        private string StringLiteral()
        {
            var result = new StringBuilder();
            _position++;
            while (true)
            {
                var c = text[_position++];
                if (c == '\'')
                {
                    if (_position < text.Length && text[_position] == '\'')
                    {
                        result.Append('\'');
                        _position++;
                        continue;
                    }

                    return result.ToString();
                }

                result.Append(c);
            }
        }

        private string Identifier()
        {
            var start = _position;
            while (_position < text.Length && (char.IsLetterOrDigit(text[_position]) || text[_position] is '_' or '$'))
            {
                _position++;
            }

            return start == _position ? throw new FormatException($"Identifier expected at {_position} in [{text}].") : text[start.._position];
        }

        private bool TryTake(char c)
        {
            SkipSpace();
            if (_position < text.Length && text[_position] == c)
            {
                _position++;
                return true;
            }

            return false;
        }

        private void Expect(char c)
        {
            if (!TryTake(c))
            {
                throw new FormatException($"'{c}' expected at {_position} in [{text}].");
            }
        }

        private void SkipSpace()
        {
            while (_position < text.Length && text[_position] == ' ')
            {
                _position++;
            }
        }
    }
}
