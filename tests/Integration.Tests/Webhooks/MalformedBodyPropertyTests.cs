using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Integration.Tests.Support;

namespace Integration.Tests.Webhooks;

/// <summary>Whatever arrives, the intake answers a 2xx or 4xx with a reason, and never throws.</summary>
public sealed class MalformedBodyPropertyTests
{
    private static readonly string[] Members = ["scope", "store_id", "data", "hash", "created_at", "producer"];

    private static readonly Gen<JsonNode?> AnyValue = Gen.OneOf<JsonNode?>(
        Gen.Const((JsonNode?)null),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Long.Select(n => (JsonNode?)JsonValue.Create(n)),
        Gen.Double.Select(d => double.IsFinite(d) ? (JsonNode?)JsonValue.Create(d) : JsonValue.Create(0.5)),
        Gen.String.Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Int[0, 100_000].Select(n => (JsonNode?)JsonValue.Create(new string('x', n))),
        Gen.Const((JsonNode?)null).Select(_ => (JsonNode?)new JsonArray(1, "two", null)),
        Gen.Int[1, 1_000_000].Select(id => (JsonNode?)new JsonObject { ["type"] = "order", ["id"] = id }),
        Gen.OneOfConst("store/order/created", "store/customer/address/updated", "store/shipment/created", "store/app/uninstalled",
            "stores/abc123", "store/cart/created").Select(s => (JsonNode?)JsonValue.Create(s)));

    [Fact]
    public async Task Handle_RandomBytes_NeverServerErrorNorException()
    {
        var harness = await IntakeHarness.CreateAsync();
        await Gen.Byte.Array[0, 2048].SampleAsync(async bytes =>
        {
            var result = await harness.PostAsync(bytes);
            return result.StatusCode is 400 or 413 && result.Reason is { Length: > 0 };
        }, iter: 20_000);
    }

    [Fact]
    public async Task Handle_EnvelopeWithRandomlyTypedMembers_NeverServerErrorNorException()
    {
        var harness = await IntakeHarness.CreateAsync();
        var gen = Gen.Select(AnyValue.Array[Members.Length], Gen.Bool.Array[Members.Length], (values, present) => (values, present));
        await gen.SampleAsync(async sample =>
        {
            var payload = Payloads.Order(1);
            for (var i = 0; i < Members.Length; i++)
            {
                if (!sample.present[i])
                {
                    payload.Remove(Members[i]);
                }
                else if (i % 2 == 0 || sample.values[i] is not null)
                {
                    payload[Members[i]] = sample.values[i]?.DeepClone();
                }
            }

            var before = harness.Publisher.Published.Count;
            var result = await harness.PostAsync(Payloads.Bytes(payload));
            var published = harness.Publisher.Published.Count - before;
            return result.StatusCode switch
            {
                200 => published <= 1,
                400 or 403 or 413 => published == 0 && result.Reason is { Length: > 0 },
                _ => false,
            };
        }, iter: 500);
    }

    [Fact]
    public async Task Handle_TruncatedValidBody_Is400AtEveryCut()
    {
        var harness = await IntakeHarness.CreateAsync();
        var body = Payloads.Bytes(Payloads.Order(250));
        for (var cut = 0; cut < body.Length - 1; cut++)
        {
            var result = await harness.PostAsync(body[..cut]);
            Assert.True(result.StatusCode == 400, $"cut at {cut}: {Encoding.UTF8.GetString(body[..cut])} gave {result.StatusCode}");
        }

        Assert.Empty(harness.Publisher.Published);
    }
}
