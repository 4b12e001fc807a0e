using Integration.Core.Commerce;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Slice;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moq;

namespace Integration.Core.Tests.Slice;

/// <summary>
/// The pilot slice's rules: which orders, refunds, customers and products are in, the reason each rule gives for what it
/// leaves out, and the start-up validation of <c>Slice</c>. The store port is a Moq double (the rules read a buyer's group
/// and a refunded order through it); the whole path through the host, Azurite and Tryton is in
/// <c>StandaloneOrdersBackfillTests</c>.
/// </summary>
public sealed class PilotSliceTests
{
    private const string Store = "abc123";
    private static readonly DateTimeOffset Placed = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly Mock<ICommerceStore> _store = new(MockBehavior.Strict);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NoSlice_EverythingIsIn_AndTheStoreIsNeverAsked()
    {
        var slice = Slice(new PilotSliceOptions());

        Assert.False(slice.IsLimited);
        Assert.Equal("everything", slice.Description);
        Assert.Equal(string.Empty, slice.Fingerprint);
        Assert.True(slice.ContainsSku("ANY-1"));
        Assert.Null(await slice.OutsideAsync(Store, SliceSubject.OfOrder(Order(7, channel: 9, "X-1")), Ct));
        Assert.Null(await slice.OutsideAsync(Store, SliceSubject.OfRefund(7), Ct));
        _store.VerifyNoOtherCalls();
    }

    [Theory]
    [InlineData("tee-red-m", true)] // normalised as the mapping normalises (upper case by default)
    [InlineData(" TEE-RED-M ", true)]
    [InlineData("TEE-BLUE-S", true)] // by the prefix
    [InlineData("MUG-1", false)]
    [InlineData("TE", false)]
    public void ContainsSku_ListAndPrefixes_AfterNormalisation(string sku, bool expected)
    {
        var slice = Slice(new PilotSliceOptions { Skus = ["TEE-RED-M"], SkuPrefixes = ["tee-b"] });

        Assert.Equal(expected, slice.ContainsSku(sku));
    }

    [Fact]
    public async Task AnOrder_IsInOnlyWhenEveryLineIs_AndTheReasonNamesTheSkusOutside()
    {
        var slice = Slice(new PilotSliceOptions { SkuPrefixes = ["TEE-"] });

        Assert.Null(await slice.OutsideAsync(Store, SliceSubject.OfOrder(Order(10, 1, "TEE-1", "TEE-2")), Ct));
        var mixed = await slice.OutsideAsync(Store, SliceSubject.OfOrder(Order(11, 1, "TEE-1", "MUG-1", "MUG-2")), Ct);

        Assert.Equal("out_of_scope: order 11 has SKUs outside the pilot slice: MUG-1, MUG-2 (Slice:Skus, Slice:SkuPrefixes; an order is in only when every line is).", mixed);
    }

    [Fact]
    public async Task AnOrder_OnAnotherChannel_BeforeTheFirstId_OrBeforeTheStart_IsOut()
    {
        var slice = Slice(new PilotSliceOptions { ChannelIds = [1, 3], OrdersFromId = 100, OrdersFromDate = Placed });

        Assert.Null(await slice.OutsideAsync(Store, SliceSubject.OfOrder(Order(100, 3, "A")), Ct));
        Assert.StartsWith("out_of_scope: order 120 was placed on channel 2; the pilot slice takes channels 1, 3",
            await slice.OutsideAsync(Store, SliceSubject.OfOrder(Order(120, 2, "A")), Ct), StringComparison.Ordinal);
        Assert.StartsWith("out_of_scope: order 99 is before the pilot slice's first order 100",
            await slice.OutsideAsync(Store, SliceSubject.OfOrder(Order(99, 1, "A")), Ct), StringComparison.Ordinal);
        Assert.StartsWith("out_of_scope: order 130 was placed at 2026-12-01T09:59:59",
            await slice.OutsideAsync(Store, SliceSubject.OfOrder(Order(130, 1, "A") with { CreatedAt = Placed.AddSeconds(-1) }), Ct), StringComparison.Ordinal);
        // An order that does not tell its channel is the storefront's (1).
        Assert.Null(await slice.OutsideAsync(Store, SliceSubject.OfOrder(Order(140, 1, "A") with { ChannelId = null }), Ct));
        // The listing's pre-filter gives the same answers.
        Assert.Null(slice.OrderListedOutside(100, 1, Placed));
        Assert.NotNull(slice.OrderListedOutside(100, 2, Placed));
    }

    [Fact]
    public async Task ABuyersGroup_IsReadFromTheStore_OnlyWhileGroupsAreSliced_AndAGuestIsGroupZero()
    {
        _store.Setup(s => s.GetCustomerAsync(Store, 5, It.IsAny<CancellationToken>())).ReturnsAsync(Customer(5, group: 2));
        _store.Setup(s => s.GetCustomerAsync(Store, 6, It.IsAny<CancellationToken>())).ReturnsAsync(Customer(6, group: 4));
        var slice = Slice(new PilotSliceOptions { CustomerGroupIds = [2] });

        Assert.Null(await slice.OutsideAsync(Store, SliceSubject.OfOrder(Order(1, 1, "A") with { Customer = Customer(5, group: null) }), Ct));
        Assert.Equal("out_of_scope: order 2's buyer (customer 6) is in customer group 4; the pilot slice takes groups 2 (Slice:CustomerGroupIds).",
            await slice.OutsideAsync(Store, SliceSubject.OfOrder(Order(2, 1, "A") with { Customer = Customer(6, group: null) }), Ct));
        Assert.Equal("out_of_scope: order 3's buyer is a guest (group 0); the pilot slice takes groups 2 (Slice:CustomerGroupIds).",
            await slice.OutsideAsync(Store, SliceSubject.OfOrder(Order(3, 1, "A")), Ct));
        _store.Verify(s => s.GetCustomerAsync(Store, It.IsAny<long>(), It.IsAny<CancellationToken>()), Times.Exactly(2));

        // A customer event carries its group: no store call.
        Assert.Null(await slice.OutsideAsync(Store, SliceSubject.OfCustomer(Customer(5, group: 2)), Ct));
        Assert.StartsWith("out_of_scope: customer 6 is in customer group 4",
            await slice.OutsideAsync(Store, SliceSubject.OfCustomer(Customer(6, group: 4)), Ct), StringComparison.Ordinal);
        _store.Verify(s => s.GetCustomerAsync(Store, It.IsAny<long>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task ARefund_IsInWhenItsOrderIs_TheOrderReadFromTheStore()
    {
        _store.Setup(s => s.GetOrderAsync(Store, 20, It.IsAny<CancellationToken>())).ReturnsAsync(Order(20, 1, "TEE-1"));
        _store.Setup(s => s.GetOrderAsync(Store, 21, It.IsAny<CancellationToken>())).ReturnsAsync(Order(21, 1, "MUG-1"));
        _store.Setup(s => s.GetOrderAsync(Store, 22, It.IsAny<CancellationToken>())).ReturnsAsync((Order?)null);
        var slice = Slice(new PilotSliceOptions { SkuPrefixes = ["TEE-"] });

        Assert.Null(await slice.OutsideAsync(Store, SliceSubject.OfRefund(20), Ct));
        Assert.Equal("out_of_scope: refund of order 21: order 21 has SKUs outside the pilot slice: MUG-1 (Slice:Skus, Slice:SkuPrefixes; an order is in only when every line is).",
            await slice.OutsideAsync(Store, SliceSubject.OfRefund(21), Ct));
        // An order the store no longer has: the refund flow decides, as without a slice.
        Assert.Null(await slice.OutsideAsync(Store, SliceSubject.OfRefund(22), Ct));
    }

    [Fact]
    public async Task AProduct_IsInWhenOneOfItsSkusIs()
    {
        var slice = Slice(new PilotSliceOptions { Skus = ["TEE-RED-M"] });
        var product = new Product
        {
            Sku = "TEE",
            Name = "Tee",
            Variants = [new ProductVariant { Sku = "TEE-RED-M" }, new ProductVariant { Sku = "TEE-RED-L" }],
        };

        Assert.Null(await slice.OutsideAsync(Store, SliceSubject.OfProduct(product), Ct));
        Assert.Equal("out_of_scope: the product's SKUs MUG-1, MUG are outside the pilot slice (Slice:Skus, Slice:SkuPrefixes).",
            await slice.OutsideAsync(Store, SliceSubject.OfProduct(product with { Sku = "MUG", Variants = [new ProductVariant { Sku = "MUG-1" }] }), Ct));
    }

    [Fact]
    public void TheFingerprint_ChangesExactlyWhenTheSliceDoes_NotWithTheOrderOfItsLists()
    {
        var a = Slice(new PilotSliceOptions { Skus = ["B", "A"], ChannelIds = [2, 1] });
        var same = Slice(new PilotSliceOptions { Skus = ["a", "b"], ChannelIds = [1, 2] });
        var wider = Slice(new PilotSliceOptions { Skus = ["A", "B", "C"], ChannelIds = [1, 2] });

        Assert.Equal(a.Fingerprint, same.Fingerprint);
        Assert.NotEqual(a.Fingerprint, wider.Fingerprint);
        Assert.Equal(16, a.Fingerprint.Length);
        Assert.Equal("SKUs A, B; channels 1, 2", a.Description);
    }

    [Theory]
    [InlineData("Slice:Skus:0", " ", "Slice:Skus must not hold an empty SKU.")]
    [InlineData("Slice:SkuPrefixes:0", "", "Slice:SkuPrefixes must not hold an empty prefix.")]
    [InlineData("Slice:ChannelIds:0", "0", "Slice:ChannelIds must hold BigCommerce channel ids (1 or more).")]
    [InlineData("Slice:CustomerGroupIds:0", "-1", "Slice:CustomerGroupIds must hold customer group ids (0 for none, or more).")]
    [InlineData("Slice:OrdersFromId", "0", "Slice:OrdersFromId must be an order id (1 or more).")]
    public void ABadSlice_StopsTheStart_NamingTheSetting(string key, string value, string message)
    {
        using var services = Services(new Dictionary<string, string?> { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASliceFromConfiguration_IsBoundAndComposed()
    {
        using var services = Services(new Dictionary<string, string?>
        {
            ["Slice:SkuPrefixes:0"] = "tee-",
            ["Slice:ChannelIds:0"] = "1",
            ["Slice:OrdersFromDate"] = "2026-12-01T10:00:00Z",
        });

        services.GetRequiredService<IStartupValidator>().Validate();
        var slice = services.GetRequiredService<PilotSlice>();

        Assert.Equal("SKU prefixes TEE-; channels 1; orders placed from 2026-12-01T10:00:00.0000000+00:00", slice.Description);
        Assert.Equal(Placed, slice.OrdersFrom);
    }

    private PilotSlice Slice(PilotSliceOptions options) => new(Options.Create(options), MappingConfiguration.Default, _store.Object);

    private ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton(MappingConfiguration.Default).AddSingleton(_store.Object);
        services.AddPilotSlice(configuration);
        return services.BuildServiceProvider();
    }

    private static Order Order(long id, long channel, params string[] skus) => new()
    {
        StoreHash = Store,
        OrderId = id,
        Status = OrderStatus.AwaitingFulfillment,
        Currency = "USD",
        ChannelId = channel,
        CreatedAt = Placed,
        Customer = new Customer { Email = "buyer@example.com" },
        Lines = [.. skus.Select(s => new OrderLine { Sku = s, Quantity = 1, UnitPrice = 1 })],
    };

    private static Customer Customer(long id, long? group) => new()
    {
        Email = $"c{id}@example.com",
        CustomerGroupId = group,
        Ids = new SystemIds(BigCommerce: id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    };
}
