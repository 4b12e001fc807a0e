using Integration.Core.Events;
using Integration.Core.Flows.Customers;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Processing;
using Moq;
using static Integration.Core.Tests.Flows.FlowHarness;

namespace Integration.Core.Tests.Flows.Customers;

/// <summary>Issue 29: the customer flow into the ERP against its ports: what the CRM owns stays out; address events are the customer's.</summary>
public sealed class CustomerErpFlowTests
{
    private readonly FlowHarness _h = new();

    private CustomerErpFlow Flow() => new(_h.Store.Object, _h.Erp.Object, MappingConfiguration.Default);

    private List<Customer> ErpAccepts()
    {
        var written = new List<Customer>();
        _h.Erp.Setup(e => e.UpsertCustomerAsync(StoreHash, It.IsAny<Customer>(), It.IsAny<CancellationToken>()))
            .Callback<string, Customer, CancellationToken>((_, c, _) => written.Add(c))
            .ReturnsAsync(Written("P9"));
        return written;
    }

    [Fact]
    public async Task Apply_TheCrmOwnsMarketingConsent_TheErpNeverGetsIt()
    {
        var customer = Customer(V1);
        _h.Store.Setup(s => s.GetCustomerAsync(StoreHash, 500, It.IsAny<CancellationToken>())).ReturnsAsync(customer);
        var written = ErpAccepts();

        var result = await _h.ProcessAsync(Flow(), Event("customer", 500, "store/customer/updated"));

        Assert.Equal((ProcessingOutcome.Applied, "P9"), (result.Outcome, result.TargetId));
        var sent = Assert.Single(written);
        Assert.True(customer.AcceptsMarketing);
        Assert.Null(sent.AcceptsMarketing);
        Assert.Equal(customer with { AcceptsMarketing = null }, sent);
    }

    [Fact]
    public async Task Apply_AnAddressEventAfterTheCustomerEvent_IsTheSameResource()
    {
        _h.Store.Setup(s => s.GetCustomerAsync(StoreHash, 501, It.IsAny<CancellationToken>())).ReturnsAsync(Customer(V1));
        var written = ErpAccepts();
        await _h.ProcessAsync(Flow(), Event("customer", 501, "store/customer/updated"));
        _h.Store.Setup(s => s.GetCustomerAsync(StoreHash, 501, It.IsAny<CancellationToken>()))
            .ReturnsAsync(Customer(V2) with { Addresses = [Address() with { City = "Oakland" }] });

        var address = await _h.ProcessAsync(Flow(), Event("customer", 501, "store/customer/address/updated", new { id = 77, address = new { customer_id = 501 } }));

        Assert.Equal(ProcessingOutcome.Applied, address.Outcome);
        Assert.Equal(["San Francisco", "Oakland"], written.Select(c => c.Addresses.Single().City));
        Assert.Equal(V2, (await _h.State.GetResourceAsync(new(StoreHash, EventTargets.Erp, "customer", "501"), Ct))?.Version);
    }

    [Fact]
    public async Task Apply_ACustomerDeletedFromTheStore_IsSkipped()
    {
        _h.Store.Setup(s => s.GetCustomerAsync(StoreHash, 502, It.IsAny<CancellationToken>())).ReturnsAsync((Customer?)null);

        Assert.Equal(ProcessingOutcome.Skipped, (await _h.ProcessAsync(Flow(), Event("customer", 502, "store/customer/deleted"))).Outcome);
        _h.Erp.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Apply_AnEventWithoutACustomerId_IsQuarantinedNamingIt()
    {
        var noId = Event("customer", 503, "store/customer/updated") with { ResourceId = null };

        var result = await _h.ProcessAsync(Flow(), noId);

        Assert.Equal(ProcessingOutcome.Quarantined, result.Outcome);
        Assert.Contains("has no numeric customer id", Assert.Single(await _h.QuarantinedAsync()).Error, StringComparison.Ordinal);
    }
}
