using Integration.Core.Mapping;
using Integration.Core.Model;

namespace Integration.Core.Tests.Mapping;

public sealed class StatusAndCodeMapTests
{
    private static readonly MappingConfiguration Mapping = MappingConfiguration.Default;

    [Fact]
    public void BigCommerceStatus_EveryDocumentedId_RoundTrips()
    {
        // Status ids 0-14 from BigCommerce's v2 Orders API.
        for (var id = 0; id <= 14; id++)
        {
            var status = Mapping.Statuses.ToCanonical(SystemName.BigCommerce, id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(id.ToString(System.Globalization.CultureInfo.InvariantCulture), Mapping.Statuses.FromCanonical(SystemName.BigCommerce, status));
        }

        Assert.Equal(OrderStatus.AwaitingFulfillment, Mapping.Statuses.ToCanonical(SystemName.BigCommerce, "11"));
        Assert.Equal(OrderStatus.PartiallyRefunded, Mapping.Statuses.ToCanonical(SystemName.BigCommerce, "14"));
    }

    [Theory]
    [InlineData(OrderStatus.AwaitingFulfillment, "confirmed", "won")]
    [InlineData(OrderStatus.AwaitingShipment, "processing", "won")]
    [InlineData(OrderStatus.Shipped, "done", "won")]
    [InlineData(OrderStatus.Cancelled, "cancelled", "lost")]
    [InlineData(OrderStatus.AwaitingPayment, "quotation", "open")]
    public void FromCanonical_Default_TranslatesToTrytonStateAndCrmStage(OrderStatus status, string erp, string crm)
    {
        Assert.Equal(erp, Mapping.Statuses.FromCanonical(SystemName.Erp, status));
        Assert.Equal(crm, Mapping.Statuses.FromCanonical(SystemName.Crm, status));
    }

    [Fact]
    public void ToCanonical_UnmappedBigCommerceId_IsAMappingErrorNamingTheTable()
    {
        var error = Assert.Throws<MappingException>(() => Mapping.Statuses.ToCanonical(SystemName.BigCommerce, "15"));

        Assert.Equal("Order status '15' of bigcommerce has no canonical status; add it to statuses.bigcommerce.toCanonical in the mapping file.", error.Message);
    }

    [Fact]
    public void ToCanonical_UnmappedErpState_IsAMappingError()
    {
        var error = Assert.Throws<MappingException>(() => Mapping.Statuses.ToCanonical(SystemName.Erp, "archived"));

        Assert.Equal("statuses.erp.toCanonical", error.Mapping);
    }

    [Fact]
    public void Locations_Default_MapBigCommerceLocationOneToTheTrytonWarehouse()
    {
        Assert.Equal("main", Mapping.Locations.ToCanonical(SystemName.BigCommerce, "1"));
        Assert.Equal("WH", Mapping.Locations.FromCanonical(SystemName.Erp, "main"));
        Assert.Equal("u", Mapping.Units.FromCanonical(SystemName.Erp, "unit"));
    }

    [Fact]
    public void Locations_UnknownBigCommerceLocation_IsAMappingErrorNamingTheSection()
    {
        var error = Assert.Throws<MappingException>(() => Mapping.Locations.ToCanonical(SystemName.BigCommerce, "7"));

        Assert.Equal("bigcommerce location '7' is not in the mapping; add it under locations in the mapping file.", error.Message);
    }

    [Fact]
    public void UnknownSku_NamesTheSkuVisiblyAndTheSystem()
    {
        var error = MappingException.UnknownSku("TEE-01\u200B", SystemName.Erp);

        Assert.Equal("SKU 'TEE-01\\u200B' matches no product in erp; create it there or correct the SKU in the system that owns product.sku, then replay.", error.Message);
        Assert.False(error.IsTransient);
    }
}
