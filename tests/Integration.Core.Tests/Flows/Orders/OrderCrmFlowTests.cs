using Integration.Core.Crm;
using Integration.Core.Events;
using Integration.Core.Flows.Orders;
using Integration.Core.Mapping;
using Integration.Core.Model;
using Integration.Core.Processing;
using Moq;
using static Integration.Core.Tests.Flows.FlowHarness;

namespace Integration.Core.Tests.Flows.Orders;

/// <summary>
/// Issue 29: orders into the CRM against the ports: who the buyer is (the registered account, or a guest's billing
/// contact with its company), what the CRM owns stays out, and a lease held by another event.
/// </summary>
public sealed class OrderCrmFlowTests
{
    private readonly FlowHarness _h = new();
    private readonly Mock<ICrmConnector> _crm = new(MockBehavior.Strict);
    private readonly List<Customer> _contacts = [];
    private readonly List<CrmDeal> _deals = [];

    private OrderCrmFlow Flow() => new(_h.Store.Object, _crm.Object, MappingConfiguration.Default);

    private void CrmAccepts()
    {
        _crm.Setup(c => c.UpsertCustomerAsync(StoreHash, It.IsAny<Customer>(), It.IsAny<CancellationToken>()))
            .Callback<string, Customer, CancellationToken>((_, c, _) => _contacts.Add(c))
            .ReturnsAsync((string _, Customer c, CancellationToken _) =>
                new CrmCustomerResult(new("C1", CrmWriteOutcome.Created), c.Company is null ? null : new("CO1", CrmWriteOutcome.Created)));
        _crm.Setup(c => c.UpsertDealAsync(It.IsAny<CrmDeal>(), It.IsAny<CancellationToken>()))
            .Callback<CrmDeal, CancellationToken>((d, _) => _deals.Add(d))
            .ReturnsAsync(new CrmWriteResult("D1", CrmWriteOutcome.Created));
    }

    [Fact]
    public async Task Apply_AGuestsOrder_TheBuyerIsTheBillingContactWithItsCompany_WithoutTheConsentTheCrmOwns()
    {
        var order = Order(600) with { BillingAddress = Address() with { Company = "Acme Ltd" } };
        _h.Store.Setup(s => s.GetOrderAsync(StoreHash, 600, It.IsAny<CancellationToken>())).ReturnsAsync(order);
        CrmAccepts();

        var result = await _h.ProcessAsync(Flow(), OrderEvent(600));

        Assert.Equal((ProcessingOutcome.Applied, "D1"), (result.Outcome, result.TargetId));
        var contact = Assert.Single(_contacts);
        Assert.Equal("Acme Ltd", contact.Company?.Name);
        Assert.Null(contact.AcceptsMarketing); // the CRM owns marketing consent: the store's never overwrites it
        var deal = Assert.Single(_deals);
        Assert.Equal(("C1", "CO1"), (deal.ContactId, deal.CompanyId));
        Assert.Equal(600, deal.Order.OrderId);
    }

    [Fact]
    public async Task Apply_ARegisteredCustomersOrder_TheBuyerIsTheStoresAccount()
    {
        var order = Order(601) with { Customer = Customer() with { Ids = new SystemIds(BigCommerce: "77") } };
        _h.Store.Setup(s => s.GetOrderAsync(StoreHash, 601, It.IsAny<CancellationToken>())).ReturnsAsync(order);
        _h.Store.Setup(s => s.GetCustomerAsync(StoreHash, 77, It.IsAny<CancellationToken>()))
            .ReturnsAsync(Customer(V2) with { FirstName = "Janet", Email = "janet@example.com", Ids = new SystemIds(BigCommerce: "77") });
        CrmAccepts();

        Assert.Equal(ProcessingOutcome.Applied, (await _h.ProcessAsync(Flow(), OrderEvent(601))).Outcome);

        var contact = Assert.Single(_contacts);
        Assert.Equal(("Janet", "janet@example.com"), (contact.FirstName, contact.Email));
        Assert.Null(contact.ModifiedAt);
    }

    [Fact]
    public async Task Apply_CrmRateLimited_IsRetriedNotQuarantined()
    {
        _h.Store.Setup(s => s.GetOrderAsync(StoreHash, 602, It.IsAny<CancellationToken>())).ReturnsAsync(Order(602));
        _crm.Setup(c => c.UpsertCustomerAsync(StoreHash, It.IsAny<Customer>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new CrmException(CrmErrorCode.RateLimited, "429 from another app's burst"));

        await Assert.ThrowsAsync<TransientProcessingException>(() => _h.ProcessAsync(Flow(), OrderEvent(602)));

        Assert.Empty(await _h.QuarantinedAsync());
    }

    [Fact]
    public async Task Process_TheOrderLeasedByAnotherEvent_WaitsWithoutSpendingAnAttemptAndGivesItsClaimBack()
    {
        var key = new ResourceKey(StoreHash, EventTargets.Crm, "order", "603");
        var holder = await _h.State.LeaseResourceAsync(key, "another-event", TimeSpan.FromMinutes(1), Ct);
        var evt = OrderEvent(603);

        var waiting = await Assert.ThrowsAsync<TransientProcessingException>(() => _h.ProcessAsync(Flow(), evt));

        Assert.True(holder.Acquired);
        Assert.False(waiting.CountsAsAttempt);
        Assert.Equal(_h.Time.GetUtcNow() + TimeSpan.FromMinutes(1), waiting.RetryAt);
        // The claim was given back: the next delivery takes it at once (a takeover: attempt 2), not after the lease.
        Assert.Equal((ClaimStatus.Claimed, 2), await _h.State.ClaimAsync(evt, EventTargets.Crm, TimeSpan.FromMinutes(1), Ct) is var c ? (c.Status, c.Attempt) : default);
        _crm.VerifyNoOtherCalls();
        _h.Store.VerifyNoOtherCalls();
    }
}
