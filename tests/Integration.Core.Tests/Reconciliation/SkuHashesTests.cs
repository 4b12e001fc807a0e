using Integration.Core.Reconciliation;

namespace Integration.Core.Tests.Reconciliation;

public sealed class SkuHashesTests
{
    [Fact]
    public void Contains_ExactlyTheSkusAdded_OrdinalAndCaseSensitive()
    {
        var set = new SkuHashes();
        foreach (var i in Enumerable.Range(0, 100_000))
        {
            set.Add($"SKU-{i:D6}");
        }

        Assert.True(set.Contains("SKU-000000"));
        Assert.True(set.Contains("SKU-099999"));
        Assert.False(set.Contains("SKU-100000"));
        Assert.False(set.Contains("sku-000001")); // normalised SKUs are compared as they are
        Assert.Equal(0, Enumerable.Range(100_000, 100_000).Count(i => set.Contains($"SKU-{i:D6}")));
    }

    [Fact]
    public void AddingAfterAsking_IsStillSeen()
    {
        var set = new SkuHashes();
        set.Add("B");
        Assert.False(set.Contains("A"));

        set.Add("A");

        Assert.True(set.Contains("A"));
        Assert.True(set.Contains("B"));
    }
}
