using Integration.Core.Model;

namespace Integration.Core.Crm;

/// <summary>
/// The CRM as the hub sees it: the destination of customers (contacts), B2B companies and orders (deals), so sales
/// see one customer record with its order history. Implementations are thread-safe singletons. Every failure is a
/// <see cref="CrmException"/>; its <see cref="CrmException.IsTransient"/> tells the processor whether to retry or
/// quarantine.
/// </summary>
/// <remarks>
/// Every write is an upsert by a natural key the CRM itself enforces (<see cref="CrmNaturalKeys"/>): the contact's
/// e-mail, the company key, the deal key. Calling twice, concurrently, or again after a crash between the CRM's commit
/// and the caller's bookkeeping leaves exactly one record. The hub never writes CRM-owned fields (lifecycle stage,
/// marketing consent). Batch methods take up to any number of inputs and send them in the CRM's batch sizes.
/// </remarks>
public interface ICrmConnector
{
    /// <summary>
    /// One cheap authenticated read that tells whether the CRM answers and has quota left (the probe of the <c>crm</c>
    /// circuit, <see cref="Processing.TargetCircuits"/>); it asks the CRM even while the connector itself pauses for a
    /// spent daily quota, and an answer with quota left ends that pause. Throws <see cref="CrmException"/> like any call.
    /// </summary>
    Task ProbeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates or updates the contact with the customer's e-mail. A registered customer's BigCommerce id is written to a
    /// custom property; a guest (no id) lands on the same contact as the registered customer with that e-mail, and never
    /// clears the id a registered order wrote.
    /// </summary>
    Task<CrmWriteResult> UpsertContactAsync(string storeHash, Customer customer, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="UpsertContactAsync"/> for many customers in as few calls as the CRM allows. Results are in input
    /// order; duplicates of one e-mail share one result (the last input wins). Inputs the CRM rejects for good come back
    /// with <see cref="CrmBatchItem.Error"/> set; transient failures are retried, then thrown.
    /// </summary>
    Task<IReadOnlyList<CrmBatchItem>> UpsertContactsAsync(string storeHash, IReadOnlyList<Customer> customers, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates or updates the customer's company (the BigCommerce B2B company, or else the company name and the
    /// e-mail's domain), keyed by <see cref="CrmNaturalKeys.Company"/>. Null when the customer names no company.
    /// </summary>
    Task<CrmWriteResult?> UpsertCompanyAsync(string storeHash, Customer customer, CancellationToken cancellationToken = default);

    /// <summary>Associates a contact with a company (the CRM's default association; idempotent).</summary>
    Task AssociateContactWithCompanyAsync(string contactId, string companyId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The customer in one call: contact, company (when there is one) and their association. What an order's buyer or a
    /// customer event needs before <see cref="UpsertDealAsync"/>.
    /// </summary>
    Task<CrmCustomerResult> UpsertCustomerAsync(string storeHash, Customer customer, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates or updates the deal of <see cref="CrmDeal.Order"/> (keyed by <see cref="CrmNaturalKeys.Deal"/>): name,
    /// amount, currency, stage (from the order status through the connector's stage map) and close date, associated
    /// with the contact and company given.
    /// </summary>
    Task<CrmWriteResult> UpsertDealAsync(CrmDeal deal, CancellationToken cancellationToken = default);

    /// <summary><see cref="UpsertDealAsync"/> for many orders in as few calls as the CRM allows (same rules as <see cref="UpsertContactsAsync"/>).</summary>
    Task<IReadOnlyList<CrmBatchItem>> UpsertDealsAsync(IReadOnlyList<CrmDeal> deals, CancellationToken cancellationToken = default);
}

/// <summary>The CRM record an upsert landed on, and what the upsert did to it.</summary>
/// <param name="CrmId">The record's id in the CRM, as text.</param>
public sealed record CrmWriteResult(string CrmId, CrmWriteOutcome Outcome);

public enum CrmWriteOutcome
{
    Created,
    Updated,
}

/// <summary>One input of a batch upsert: its natural key and either its result or why the CRM refused it for good.</summary>
public sealed record CrmBatchItem(string Key, CrmWriteResult? Result, CrmException? Error);

/// <summary>A customer in the CRM: the contact, and the company when the customer has one (already associated).</summary>
public sealed record CrmCustomerResult(CrmWriteResult Contact, CrmWriteResult? Company);

/// <summary>An order to write as a deal, with the CRM ids of the records it belongs to (from <see cref="ICrmConnector.UpsertCustomerAsync"/>).</summary>
public sealed record CrmDeal(Order Order, string? ContactId = null, string? CompanyId = null);
