using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing.Tryton;

namespace Integration.Erp.Tryton.Tests;

/// <summary>
/// The shared test data writers hold when test classes run at once against the one Tryton database of the assembly,
/// as xunit runs them.
/// </summary>
public sealed class TestDataTests(TrytonFixture tryton)
{
    [Fact]
    public async Task CreateCarrier_ManyAtOnce_EachGetsItsOwnParty()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = TrytonTestData.Client(tryton);
        var codes = Enumerable.Range(0, 8).Select(_ => TrytonTestData.Unique("CARRIER")).ToList();

        // Tryton numbers a party without a code from one sequence; on SQLite two transactions at once can draw the same
        // number and the second fails "The code on party must be unique" (seen in CI).
        var carriers = await Task.WhenAll(codes.Select(code => TrytonTestData.CreateCarrierAsync(client, code, ct)));

        Assert.Equal(carriers.Length, carriers.Distinct().Count());
        var records = await client.ReadAsync("carrier", carriers, ["party"], cancellationToken: ct);
        Assert.Equal(carriers.Length, records.EnumerateArray().Select(r => r.GetProperty("party").GetInt32()).Distinct().Count());
    }
}
