using System.Text.Json.Nodes;
using CsCheck;
using Integration.Core.Mapping;
using Integration.Core.Model;

namespace Integration.Core.Tests.Mapping;

/// <summary>Whatever the merchant's ownership choices, no write ever carries a field to its owner or from a non-owner.</summary>
public sealed class OwnershipPolicyPropertyTests
{
    private static readonly string[] SystemNames = ["bigcommerce", "erp", "crm"];

    /// <summary>The default mapping with every mapped field given a random owner.</summary>
    private static readonly Gen<MappingConfiguration> RandomOwnership = Gen.Int[0, 2].Array[FieldNames().Count].Select(owners =>
    {
        var tree = DefaultMapping.Tree();
        var ownership = new JsonObject();
        foreach (var system in SystemNames)
        {
            ownership[system] = new JsonArray();
        }

        var fields = FieldNames();
        for (var i = 0; i < fields.Count; i++)
        {
            ownership[SystemNames[owners[i]]]!.AsArray().Add(fields[i]);
        }

        tree["ownership"] = ownership;
        return MappingConfiguration.Parse(tree.ToJsonString(), "random.json");
    });

    private static readonly Gen<(SystemName Source, SystemName Target)> Direction =
        Gen.Select(Gen.Enum<SystemName>(), Gen.Enum<SystemName>()).Where(d => d.Item1 != d.Item2);

    private static readonly Gen<OrderStatus> MappedEverywhere = Gen.OneOfConst(
        OrderStatus.Pending, OrderStatus.AwaitingPayment, OrderStatus.AwaitingFulfillment, OrderStatus.Shipped, OrderStatus.Completed, OrderStatus.Cancelled);

    [Fact]
    public void WriteOrder_AnyOwnership_EmitsOnlySourceOwnedFieldsAndNeverToTheirOwner()
    {
        Gen.Select(RandomOwnership, Direction, Gen.Int[0, 5], MappedEverywhere).Sample((mapping, direction, lines, status) =>
        {
            var order = mapping.Records.Normalise(TestRecords.Order(lines, status));
            var write = mapping.Policy.Write(order, direction.Source, direction.Target);
            var fields = AllFields(mapping, write).ToList();
            return fields.All(f => f.Owner == direction.Source && f.Owner != direction.Target);
        }, iter: 200);
    }

    [Fact]
    public void Filter_AnyOwnershipAndProposal_EmitsOnlySourceOwnedFieldsAndRejectsTheRest()
    {
        var proposals = Gen.OneOfConst("sku", "name", "description", "price", "currency", "salable", "weight", "prize").Array[0, 10];
        Gen.Select(RandomOwnership, Direction, proposals).Sample((mapping, direction, names) =>
        {
            var proposed = names.Select(n => new KeyValuePair<string, object?>(n, n == "salable" ? true : n is "price" or "weight" ? 1m : "x")).ToArray();
            var write = mapping.Policy.Filter("product", "SKU", direction.Source, direction.Target, proposed);
            var emitted = write.Fields.Select(f => f.Field).ToList();
            var writable = mapping.Policy.WritableFields("product", direction.Source, direction.Target);
            return emitted.All(f => mapping.Policy.OwnerOf("product", f) is { } owner && owner == direction.Source && owner != direction.Target)
                && write.Rejected.All(f => !writable.Contains(f))
                && emitted.Count + write.Rejected.Count == names.Length;
        }, iter: 300);
    }

    [Fact]
    public void WriteOrder_SameInput_IsDeterministic()
    {
        Gen.Select(Direction, Gen.Int[0, 20], MappedEverywhere).Sample((direction, lines, status) =>
        {
            var mapping = MappingConfiguration.Default;
            var first = Render(mapping.Policy.Write(mapping.Records.Normalise(TestRecords.Order(lines, status)), direction.Source, direction.Target));
            var second = Render(mapping.Policy.Write(mapping.Records.Normalise(TestRecords.Order(lines, status)), direction.Source, direction.Target));
            return first == second;
        }, iter: 200);
    }

    private static List<string> FieldNames()
    {
        var objects = DefaultMapping.Tree()["objects"]!.AsObject();
        return [.. objects.SelectMany(o => o.Value!.AsObject().Select(f => $"{o.Key}.{f.Key}"))];
    }

    /// <summary>Every field of a write and its nested writes, with its owner in <paramref name="mapping"/>.</summary>
    private static IEnumerable<(string Field, SystemName? Owner)> AllFields(MappingConfiguration mapping, RecordWrite write)
    {
        foreach (var field in write.Fields)
        {
            yield return ($"{write.ObjectName}.{field.Field}", mapping.Policy.OwnerOf(write.ObjectName, field.Field));
            RecordWrite[] children = field.Value switch
            {
                RecordWrite child => [child],
                RecordWrite[] many => many,
                _ => [],
            };
            foreach (var nested in children.SelectMany(c => AllFields(mapping, c)))
            {
                yield return nested;
            }
        }
    }

    private static string Render(RecordWrite write) =>
        $"{write.ObjectName}[{write.Key}]{{{string.Join(",", write.Fields.Select(f => $"{f.TargetField}={RenderValue(f.Value)}"))}}}";

    private static string RenderValue(object? value) => value switch
    {
        RecordWrite child => Render(child),
        RecordWrite[] many => $"[{string.Join(",", many.Select(Render))}]",
        IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "null",
    };
}
