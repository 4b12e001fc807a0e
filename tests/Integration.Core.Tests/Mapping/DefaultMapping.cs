using System.Text.Json.Nodes;
using Integration.Core.Mapping;

namespace Integration.Core.Tests.Mapping;

/// <summary>The shipped default mapping (copied to the output folder), as text and as an editable tree.</summary>
internal static class DefaultMapping
{
    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, MappingConfiguration.DefaultFileName);

    public static string SchemaPath => System.IO.Path.Combine(AppContext.BaseDirectory, "mapping.schema.json");

    // JsonSchema.Net registers a schema by its $id once per process: every test class shares this one.
    private static readonly Lazy<Json.Schema.JsonSchema> SchemaLazy = new(() => Json.Schema.JsonSchema.FromFile(SchemaPath));

    public static Json.Schema.JsonSchema Schema => SchemaLazy.Value;

    public static string Text => File.ReadAllText(Path);

    public static JsonObject Tree() => JsonNode.Parse(Text, documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!.AsObject();

    /// <summary>The errors of the default mapping after <paramref name="edit"/>.</summary>
    public static IReadOnlyList<string> ErrorsAfter(Action<JsonObject> edit)
    {
        var tree = Tree();
        edit(tree);
        var error = Assert.Throws<MappingConfigurationException>(() => MappingConfiguration.Parse(tree.ToJsonString(), "test.json"));
        return error.Errors;
    }

    public static JsonArray Owned(this JsonObject tree, string system) => tree["ownership"]![system]!.AsArray();

    public static void Disown(this JsonObject tree, string system, string field)
    {
        var owned = tree.Owned(system);
        owned.Remove(owned.Single(n => (string)n! == field));
    }
}
