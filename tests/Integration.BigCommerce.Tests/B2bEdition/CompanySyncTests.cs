using System.Text.Json.Nodes;
using Integration.BigCommerce.B2b;
using Integration.BigCommerce.Tests.Support;
using Integration.Core.B2b;
using Integration.Erp.Tryton.B2b;
using Integration.Erp.Tryton.JsonRpc;
using Integration.Testing.Tryton;

namespace Integration.BigCommerce.Tests.B2bEdition;

/// <summary>
/// Tryton company accounts (parties in the B2B category) → B2B Edition companies, against a real Tryton and the
/// emulator: created with their ERP-owned extra fields and their contacts as users; a field the ERP owns edited in
/// the store is put back and reported, a field the store owns is kept; a run with nothing to fix writes nothing.
/// </summary>
public sealed class CompanySyncTests(TrytonFixture tryton) : IClassFixture<TrytonFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A party in the B2B category with a company e-mail and phone, two named contacts and an address; returns its code.</summary>
    internal static async Task<string> CreateCompanyPartyAsync(TrytonClient client, string prefix, string? category = TrytonCompanies.DefaultCategory)
    {
        var code = TrytonTestData.Unique(prefix);
        var us = (await client.SearchReadAsync("country.country", [TrytonJson.Clause("code", "=", "US")], ["id"], cancellationToken: Token))[0].GetProperty("id").GetInt32();
        var party = new JsonObject
        {
            ["name"] = $"Acme {code}",
            ["code"] = code,
            ["contact_mechanisms"] = new JsonArray(new JsonArray("create", new JsonArray(
                new JsonObject { ["type"] = "email", ["value"] = $"billing-{code}@example.com" },
                new JsonObject { ["type"] = "phone", ["value"] = "+15125550100" },
                new JsonObject { ["type"] = "email", ["value"] = $"ada-{code}@example.com", ["name"] = "Ada Lovelace" },
                new JsonObject { ["type"] = "phone", ["value"] = "+15125550101", ["name"] = "Ada Lovelace" },
                new JsonObject { ["type"] = "email", ["value"] = $"bo-{code}@example.com", ["name"] = "Bo Buyer" }))),
            ["addresses"] = new JsonArray(new JsonArray("create", new JsonArray(
                new JsonObject { ["street"] = "1 Main St\nSuite 5", ["city"] = "Austin", ["postal_code"] = "78701", ["country"] = us }))),
        };
        if (category is not null)
        {
            var found = await client.SearchReadAsync("party.category", [TrytonJson.Clause("name", "=", category)], ["id"], cancellationToken: Token);
            var categoryId = found.GetArrayLength() > 0 ? found[0].GetProperty("id").GetInt32()
                : (await client.CreateAsync("party.category", [new JsonObject { ["name"] = category }], cancellationToken: Token))[0];
            party["categories"] = new JsonArray(new JsonArray("add", new JsonArray(categoryId)));
        }

        await client.CreateAsync("party.party", [party], cancellationToken: Token);
        return code;
    }

    internal static B2bEditionClient B2bClient(EmulatorHarness harness) =>
        new(new HttpClient { BaseAddress = harness.Emulator.BaseAddress }, EmulatorHarness.StoreHash, EmulatorHarness.Token);

    [Fact]
    public async Task TrytonCompanies_AreThePartiesInTheCategory_WithContactsAndAddress()
    {
        var client = TrytonTestData.Client(tryton);
        var code = await CreateCompanyPartyAsync(client, "co");
        var retail = await CreateCompanyPartyAsync(client, "retail", category: null);

        var companies = await new TrytonCompanies(client).GetCompaniesAsync(Token).ToListAsync(Token);

        Assert.DoesNotContain(companies, c => c.Account == retail);
        var company = Assert.Single(companies, c => c.Account == code);
        Assert.Equal($"Acme {code}", company.Name);
        Assert.Equal($"billing-{code}@example.com", company.Email);
        Assert.Equal("+15125550100", company.Phone);
        Assert.Equal(new CompanyAddress("1 Main St", "Suite 5", "Austin", null, "US", "78701"), company.Address);
        Assert.Equal(
            [new CompanyContact($"ada-{code}@example.com", "Ada", "Lovelace", "+15125550101"), new CompanyContact($"bo-{code}@example.com", "Bo", "Buyer", null)],
            company.Contacts);
        // This template has neither account_invoice nor account_credit_limit (docs/b2b.md): both are left out, not guessed.
        Assert.Null(company.PaymentTerms);
        Assert.Null(company.CreditLimit);
    }

    [Fact]
    public async Task Sync_CreatesTheCompanyWithUsers_PutsBackAnErpFieldEditedInTheStore_KeepsTheStoresOwn()
    {
        var tryton1 = TrytonTestData.Client(tryton);
        var code = await CreateCompanyPartyAsync(tryton1, "sync");
        await using var harness = await EmulatorHarness.StartAsync();
        var store = B2bClient(harness);
        var erp = new TrytonCompanies(tryton1);
        var sync = new CompanySync(erp, store);
        var company = Assert.Single(await erp.GetCompaniesAsync(Token).Where(c => c.Account == code).ToListAsync(Token));

        var created = await sync.SyncAsync(company, Token);
        Assert.Equal(CompanySyncOutcome.Created, created.Outcome);
        Assert.Equal(2, created.UsersAdded);
        var extra = harness.Store.B2bEdition.ExtraFields(created.CompanyId)!;
        Assert.Equal(code, extra[CompanySync.AccountField]);

        // The merchant renames the company and sets the store's own Account Manager in the control panel.
        using var http = B2bEditionEmulatorTests.B2bHttp(harness);
        await B2bEditionEmulatorTests.SendAsync(http, HttpMethod.Put, $"companies/{created.CompanyId}",
            """{"companyName":"Renamed in the store","extraFields":[{"fieldName":"Account Manager","fieldValue":"Kim"}]}""");

        var fixedUp = await sync.SyncAsync(company, Token);
        Assert.Equal(CompanySyncOutcome.Updated, fixedUp.Outcome);
        Assert.Equal(["companyName"], fixedUp.FieldsFixed);
        var read = (await B2bEditionEmulatorTests.SendAsync(http, HttpMethod.Get, $"companies/{created.CompanyId}")).Body["data"]!;
        Assert.Equal($"Acme {code}", read["companyName"]!.GetValue<string>());
        Assert.Equal("Kim", harness.Store.B2bEdition.ExtraFields(created.CompanyId)!["Account Manager"]);

        var puts = harness.Store.Counters.Calls("PUT /api/v3/io/companies/{companyId}");
        var calls = store.Calls;
        var again = await sync.SyncAsync(company, Token);
        Assert.Equal(CompanySyncOutcome.Unchanged, again.Outcome);
        Assert.Empty(again.FieldsFixed);
        Assert.Equal(puts, harness.Store.Counters.Calls("PUT /api/v3/io/companies/{companyId}"));
        Assert.Equal(2, store.Calls - calls); // find the company, list its users
    }

    [Fact]
    public async Task Sync_ACompanyWithoutContacts_IsSkippedWithItsReason_AndOrdersFindTheirCompanyByCustomer()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        var store = B2bClient(harness);
        var sync = new CompanySync(new TrytonCompanies(TrytonTestData.Client(tryton)), store);
        var lonely = new ErpCompany { Account = TrytonTestData.Unique("lonely"), Name = "No contacts" };
        var skipped = await sync.SyncAsync(lonely, Token);
        Assert.Equal(CompanySyncOutcome.Skipped, skipped.Outcome);
        Assert.Contains("administrator", Assert.Single(skipped.FieldsFixed), StringComparison.Ordinal);
        var noPhone = await sync.SyncAsync(lonely with { Contacts = [new CompanyContact("np@example.com", "No", "Phone", null)] }, Token);
        Assert.Equal(CompanySyncOutcome.Skipped, noPhone.Outcome);
        Assert.Equal(0, harness.Store.B2bEdition.CompanyCount);

        var account = TrytonTestData.Unique("buyer");
        var company = new ErpCompany
        {
            Account = account, Name = "Buyers Inc", Phone = "+15125550199", Address = new CompanyAddress("2 Elm St", null, "Austin", "Texas", "US", "78702"),
            Contacts = [new CompanyContact($"{account}@example.com", "Pat", "Buyer", null)],
        };
        var created = await sync.SyncAsync(company, Token);
        var customers = await EmulatorHarness.SendAsync(harness.Http(), HttpMethod.Get, $"v3/customers?email:in={account}@example.com");
        var customer = customers["data"]![0]!["id"]!.GetValue<long>();
        Assert.Equal(created.CompanyId, await store.CompanyOfCustomerAsync(customer, Token));
        Assert.Null(await store.CompanyOfCustomerAsync(1, Token)); // a seeded retail shopper

        // The same company record in the CRM: its key is the BigCommerce company id, and the ERP account rides along.
        var link = await store.CompanyLinkOfCustomerAsync(customer, Token);
        Assert.NotNull(link);
        Assert.Equal(("Buyers Inc", account), (link.Name, link.Ids.Erp));
        var buyer = new Core.Model.Customer { Email = $"{account}@example.com", Company = link, Ids = new Core.Model.SystemIds(BigCommerce: customer.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        Assert.Equal($"{EmulatorHarness.StoreHash}-company-{created.CompanyId}", Core.Crm.CrmNaturalKeys.Company(EmulatorHarness.StoreHash, buyer));
        Assert.Null(await store.CompanyLinkOfCustomerAsync(1, Token));
    }

    [Fact]
    public async Task OrderOfACompanyUser_IsASaleForTheCompanysParty_NotANewRetailParty()
    {
        var client = TrytonTestData.Client(tryton);
        var account = await CreateCompanyPartyAsync(client, "order");
        var skus = await TrytonTestData.CreateProductsAsync(client, TrytonTestData.Unique("B2B"), 1, Token);
        var connector = TrytonTestData.Connector(tryton, client);
        var store = TrytonTestData.Unique("s");
        var order = TrytonTestData.Order(store, 501, Core.Model.OrderStatus.AwaitingFulfillment, (skus[0], 2m, 10m));
        // What the store adapter knows of a company user's order: the B2B Edition company, its id and its ERP account.
        order = order with { Customer = order.Customer with { Company = new Core.Model.Company { Name = "Acme", Ids = new Core.Model.SystemIds(BigCommerce: "1001", Erp: account) } } };

        var result = await connector.UpsertOrderAsync(order, Token);

        Assert.Equal(Core.Erp.ErpWriteOutcome.Created, result.Outcome);
        var sale = (await client.SearchReadAsync("sale.sale", [TrytonJson.Clause("reference", "=", Core.Erp.ErpNaturalKeys.Order(store, 501))], ["party.code"], cancellationToken: Token))[0];
        Assert.Equal(account, sale.GetProperty("party.").GetProperty("code").GetString());
        var retail = await client.SearchReadAsync("party.party", [TrytonJson.Clause("code", "=", Core.Erp.ErpNaturalKeys.Customer(store, order.Customer))], ["id"], cancellationToken: Token);
        Assert.Equal(0, retail.GetArrayLength());
        // The order's addresses were added to the company's party (its own address kept): 1 + billing + shipping.
        var party = (await client.SearchReadAsync("party.party", [TrytonJson.Clause("code", "=", account)], ["addresses"], cancellationToken: Token))[0];
        Assert.Equal(3, party.GetProperty("addresses").GetArrayLength());

        var unknown = order with { OrderId = 502, Customer = order.Customer with { Company = new Core.Model.Company { Name = "Ghost", Ids = new Core.Model.SystemIds(BigCommerce: "1002", Erp: "no-such-account") } } };
        var error = await Assert.ThrowsAsync<Core.Erp.ErpException>(() => connector.UpsertOrderAsync(unknown, Token));
        Assert.Equal(Core.Erp.ErpErrorCode.Rejected, error.Code);
        Assert.Contains("no-such-account", error.Message, StringComparison.Ordinal);
    }
}
