using System.Text;
using CsCheck;
using Integration.Tests.Support;

namespace Integration.Tests.Webhooks;

/// <summary>
/// Bodies that are JSON in shape but not in text: bytes that are not UTF-8 inside strings, escapes that decode to
/// lone surrogates, and mutations of a valid body. Whatever arrives, the answer is a 2xx or 4xx with a reason,
/// never a 5xx and never an exception.
/// </summary>
public sealed class InvalidTextPropertyTests
{
    private const int Iterations = 20_000;

    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xC3, 0x28], [0xA0, 0xA1], [0xE2, 0x28, 0xA1], [0xE2, 0x82, 0x28], [0xF0, 0x28, 0x8C, 0xBC],
        [0xF0, 0x90, 0x28, 0xBC], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xC2],
    ];

    // Escapes that are valid JSON syntax but decode to no Unicode text (lone or reversed surrogates).
    private static readonly string[] SurrogateEscapes = [@"\uD800", @"\uDC00", @"\uDBFF\u0041", @"\uDC00\uD800", @"x\uD83D"];

    [Theory]
    [InlineData("scope")]
    [InlineData("hash")]
    [InlineData("producer")]
    [InlineData("store_id")]
    [InlineData("type")]
    [InlineData("note")]
    public async Task Handle_InvalidUtf8InAString_Is400WithAReason(string member)
    {
        var harness = await IntakeHarness.CreateAsync();
        foreach (var sequence in InvalidUtf8)
        {
            var result = await harness.PostAsync(WithBytesInString(member, sequence));

            Assert.Equal(400, result.StatusCode);
            Assert.False(string.IsNullOrEmpty(result.Reason));
        }

        Assert.Empty(harness.Publisher.Published);
    }

    [Theory]
    [InlineData("scope")]
    [InlineData("hash")]
    [InlineData("producer")]
    [InlineData("store_id")]
    [InlineData("type")]
    [InlineData("note")]
    public async Task Handle_LoneSurrogateEscapeInAString_Is400WithAReason(string member)
    {
        var harness = await IntakeHarness.CreateAsync();
        foreach (var escape in SurrogateEscapes)
        {
            var result = await harness.PostAsync(WithBytesInString(member, Encoding.ASCII.GetBytes(escape)));

            Assert.Equal(400, result.StatusCode);
            Assert.False(string.IsNullOrEmpty(result.Reason));
        }

        Assert.Empty(harness.Publisher.Published);
    }

    [Fact]
    public async Task Handle_MutatedValidBody_NeverServerErrorNorException()
    {
        var harness = await IntakeHarness.CreateAsync();
        var valid = Payloads.Bytes(Payloads.Order(4321, "store/order/updated"));
        var mutation = Gen.OneOf(
            // Bit flips.
            Gen.Int[0, valid.Length - 1].Array[1, 8].Select(Gen.Int[0, 7].Array[8], (positions, bits) =>
            {
                var body = (byte[])valid.Clone();
                for (var i = 0; i < positions.Length; i++)
                {
                    body[positions[i]] ^= (byte)(1 << bits[i]);
                }

                return body;
            }),
            // Truncations.
            Gen.Int[0, valid.Length].Select(cut => valid[..cut]),
            // Invalid UTF-8 or surrogate escapes inserted anywhere.
            Gen.Int[0, valid.Length].Select(Gen.OneOf(
                    Gen.OneOfConst(InvalidUtf8),
                    Gen.OneOfConst(SurrogateEscapes).Select(s => Encoding.ASCII.GetBytes(s))),
                (at, inserted) => (byte[])[.. valid[..at], .. inserted, .. valid[at..]]),
            // Arbitrary bytes over a slice.
            Gen.Int[0, valid.Length - 1].Select(Gen.Byte.Array[1, 16], (at, bytes) =>
            {
                var body = (byte[])valid.Clone();
                bytes.AsSpan(0, Math.Min(bytes.Length, body.Length - at)).CopyTo(body.AsSpan(at));
                return body;
            }),
            // Deep nesting in data.
            Gen.Int[1, 2_000].Select(depth => Encoding.UTF8.GetBytes(
                Encoding.UTF8.GetString(valid).Replace("\"id\":4321", $"\"id\":4321,\"deep\":{new string('[', depth)}{new string(']', depth)}", StringComparison.Ordinal))),
            // Huge or odd numbers where integers are expected.
            Gen.OneOfConst("1e400", "-0", "123456789012345678901234567890", "1.5", "-1", "9223372036854775808", "0.0000001e-999")
                .Select(Gen.OneOfConst("\"id\":4321", "\"created_at\":1561479335"), (number, member) => Encoding.UTF8.GetBytes(
                    Encoding.UTF8.GetString(valid).Replace(member, member[..(member.IndexOf(':', StringComparison.Ordinal) + 1)] + number, StringComparison.Ordinal))));

        await mutation.SampleAsync(async body => IsClean(await harness.PostAsync(body)), iter: Iterations);
    }

    private static bool IsClean(Integration.BigCommerce.Webhooks.WebhookIntakeResult result) => result.StatusCode switch
    {
        200 => true,
        400 or 401 or 403 or 413 => result.Reason is { Length: > 0 },
        _ => false,
    };

    /// <summary>A valid order webhook whose <paramref name="member"/> string value carries <paramref name="inserted"/> raw.</summary>
    private static byte[] WithBytesInString(string member, byte[] inserted)
    {
        var payload = Payloads.Order(7);
        payload["data"]!["note"] = "n";
        var text = payload.ToJsonString();
        var marker = $"\"{member}\":\"";
        var at = text.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, $"member {member} not found in {text}");
        var bytes = Encoding.UTF8.GetBytes(text);
        var insertAt = Encoding.UTF8.GetByteCount(text.AsSpan(0, at + marker.Length));
        return [.. bytes[..insertAt], .. inserted, .. bytes[insertAt..]];
    }
}
