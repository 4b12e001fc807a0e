using System.Text.Json.Nodes;
using CsCheck;
using Integration.Core.Mapping;

namespace Integration.Core.Tests.Mapping;

/// <summary>Whatever a merchant writes into the file, start-up either succeeds or lists errors; it never crashes.</summary>
public sealed class MappingConfigurationFuzzTests
{
    private static readonly Gen<JsonNode?> Replacement = Gen.OneOf<JsonNode?>(
        Gen.Const<JsonNode?>(() => null),
        Gen.Int.Select(n => (JsonNode?)JsonValue.Create(n)),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.OneOfConst("", " ", "erp", "product.price", "upper", "pending", "1", "x.y.z", ".", "product.").Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Const<JsonNode?>(() => new JsonObject()),
        Gen.Const<JsonNode?>(() => new JsonArray()),
        Gen.Const<JsonNode?>(() => new JsonArray(JsonValue.Create("product.price"), null)),
        Gen.Const<JsonNode?>(() => new JsonObject { ["erp"] = null, ["x"] = 1 }));

    [Fact]
    public void Parse_DefaultWithRandomNodesReplaced_SucceedsOrReportsErrorsNeverThrowsAnythingElse()
    {
        var paths = AllPaths(DefaultMapping.Tree()).ToArray();
        Gen.Select(Gen.Int[0, paths.Length - 1].Array[1, 4], Replacement.Array[4]).Sample((picks, replacements) =>
        {
            var tree = DefaultMapping.Tree();
            for (var i = 0; i < picks.Length; i++)
            {
                Replace(tree, paths[picks[i]], replacements[i]?.DeepClone());
            }

            try
            {
                MappingConfiguration.Parse(tree.ToJsonString(), "fuzz.json");
                return true;
            }
            catch (MappingConfigurationException e)
            {
                return e.Errors.Count > 0 && e.Errors.All(m => m.Length > 0);
            }
        }, iter: 2_000);
    }

    [Fact]
    public void Parse_TruncatedDefault_ReportsAJsonErrorAtEveryCut()
    {
        var text = DefaultMapping.Text;
        for (var cut = 0; cut < text.Length - 2; cut += 7)
        {
            var error = Assert.Throws<MappingConfigurationException>(() => MappingConfiguration.Parse(text[..cut], "cut.json"));
            Assert.StartsWith("$", Assert.Single(error.Errors), StringComparison.Ordinal);
        }
    }

    private static IEnumerable<string[]> AllPaths(JsonNode node, string[]? prefix = null)
    {
        prefix ??= [];
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o)
                {
                    string[] path = [.. prefix, key];
                    yield return path;
                    if (child is not null)
                    {
                        foreach (var nested in AllPaths(child, path))
                        {
                            yield return nested;
                        }
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    yield return [.. prefix, $"#{i}"];
                }

                break;
        }
    }

    private static void Replace(JsonNode root, string[] path, JsonNode? value)
    {
        var parent = root;
        foreach (var segment in path[..^1])
        {
            parent = segment.StartsWith('#') ? (parent as JsonArray)?.ElementAtOrDefault(int.Parse(segment[1..], System.Globalization.CultureInfo.InvariantCulture)) : (parent as JsonObject)?[segment];
            if (parent is null)
            {
                return;   // an earlier replacement removed this branch
            }
        }

        var last = path[^1];
        if (last.StartsWith('#') && parent is JsonArray array && int.Parse(last[1..], System.Globalization.CultureInfo.InvariantCulture) is var index && index < array.Count)
        {
            array[index] = value;
        }
        else if (parent is JsonObject obj && !last.StartsWith('#'))
        {
            obj[last] = value;
        }
    }
}
