using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Tests.Support;

namespace Integration.BigCommerce.Tests.B2bEdition;

/// <summary>
/// The emulator's B2B Edition management API (<c>/api/v3/io</c>): authentication by X-Store-Hash + X-Auth-Token, the
/// envelope, limit/offset paging, companies with extra fields, users linked to store customers, addresses, the
/// documented errors and the store/company/* webhooks (docs/b2b.md).
/// </summary>
public sealed class B2bEditionEmulatorTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    internal static HttpClient B2bHttp(EmulatorHarness harness)
    {
        var http = new HttpClient { BaseAddress = new Uri(harness.Emulator.BaseAddress, "api/v3/io/") };
        http.DefaultRequestHeaders.Add("X-Auth-Token", EmulatorHarness.Token);
        http.DefaultRequestHeaders.Add("X-Store-Hash", EmulatorHarness.StoreHash);
        return http;
    }

    internal static async Task<(HttpStatusCode Status, JsonObject Body)> SendAsync(HttpClient http, HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request, Token);
        var text = await response.Content.ReadAsStringAsync(Token);
        return (response.StatusCode, (JsonObject)JsonNode.Parse(text)!);
    }

    internal static string CompanyBody(string name, string adminEmail, string? extraFields = null) => $$"""
        {"companyName":"{{name}}","companyPhone":"555-0100","companyEmail":"billing@{{name.ToLowerInvariant().Replace(' ', '-')}}.example",
         "addressLine1":"1 Main St","city":"Austin","state":"Texas","country":"US","zipCode":"78701",
         "adminFirstName":"Ada","adminLastName":"Admin","adminEmail":"{{adminEmail}}"{{(extraFields is null ? "" : ",\"extraFields\":" + extraFields)}}}
        """;

    [Fact]
    public async Task Company_CreateReadUpdate_KeepsExtraFieldsAndAnswersInTheEnvelope()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = B2bHttp(harness);
        var suffix = Guid.NewGuid().ToString("N")[..8];

        var (status, created) = await SendAsync(http, HttpMethod.Post, "companies",
            CompanyBody("Acme " + suffix, $"ada-{suffix}@example.com", """[{"fieldName":"ERP Account","fieldValue":"C-1"},{"fieldName":"Credit Limit","fieldValue":5000}]"""));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(200, created["code"]!.GetValue<int>());
        Assert.Equal("SUCCESS", created["meta"]!["message"]!.GetValue<string>());
        var companyId = created["data"]!["companyId"]!.GetValue<long>();
        Assert.True(created["data"]!["customerId"]!.GetValue<long>() > 0);

        var (_, read) = await SendAsync(http, HttpMethod.Get, $"companies/{companyId}");
        var company = read["data"]!.AsObject();
        Assert.Equal("Acme " + suffix, company["companyName"]!.GetValue<string>());
        Assert.Equal("1", company["companyStatus"]!.GetValue<string>());
        var extra = company["extraFields"]!.AsArray().ToDictionary(f => f!["fieldName"]!.GetValue<string>(), f => f!["fieldValue"]!.GetValue<string>());
        Assert.Equal("C-1", extra["ERP Account"]);
        Assert.Equal("5000", extra["Credit Limit"]);

        var (updated, body) = await SendAsync(http, HttpMethod.Put, $"companies/{companyId}",
            """{"uuid":"3fa85f64-5717-4562-b3fc-2c963f66afa6","extraFields":[{"fieldName":"Payment Terms","fieldValue":"Net 30"}]}""");
        Assert.Equal(HttpStatusCode.OK, updated);
        Assert.Equal(companyId, body["data"]!["companyId"]!.GetValue<long>());
        var values = harness.Store.B2bEdition.ExtraFields(companyId)!;
        Assert.Equal("Net 30", values["Payment Terms"]);
        Assert.Equal("C-1", values["ERP Account"]); // merged by name, not replaced

        var (_, again) = await SendAsync(http, HttpMethod.Get, $"companies/{companyId}");
        Assert.Equal("3fa85f64-5717-4562-b3fc-2c963f66afa6", again["data"]!["uuid"]!.GetValue<string>());
    }

    [Fact]
    public async Task Company_BadInput_IsA422NamingTheProblem_AndAMissingCompanyA404()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = B2bHttp(harness);
        var suffix = Guid.NewGuid().ToString("N")[..8];

        var (missing, missingBody) = await SendAsync(http, HttpMethod.Post, "companies", """{"companyName":"No admin","companyPhone":"1","companyEmail":"a@b.example","country":"US"}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing);
        Assert.Contains("adminFirstName", missingBody["meta"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var (unknown, unknownBody) = await SendAsync(http, HttpMethod.Post, "companies",
            CompanyBody("Unknown " + suffix, $"u-{suffix}@example.com", """[{"fieldName":"Shoe Size","fieldValue":"9"}]"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown);
        Assert.Contains("Shoe Size", unknownBody["meta"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var (notNumber, _) = await SendAsync(http, HttpMethod.Post, "companies",
            CompanyBody("Nan " + suffix, $"n-{suffix}@example.com", """[{"fieldName":"Credit Limit","fieldValue":"lots"}]"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notNumber);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Post, "companies",
            CompanyBody("First " + suffix, $"f-{suffix}@example.com", $$"""[{"fieldName":"ERP Account","fieldValue":"U-{{suffix}}"}]"""))).Status);
        var (duplicate, duplicateBody) = await SendAsync(http, HttpMethod.Post, "companies",
            CompanyBody("Second " + suffix, $"s-{suffix}@example.com", $$"""[{"fieldName":"ERP Account","fieldValue":"U-{{suffix}}"}]"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, duplicate);
        Assert.Contains("unique", duplicateBody["meta"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, harness.Store.B2bEdition.CompanyCount);

        var (notFound, notFoundBody) = await SendAsync(http, HttpMethod.Get, "companies/999999");
        Assert.Equal(HttpStatusCode.NotFound, notFound);
        Assert.Equal(404, notFoundBody["code"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(http, HttpMethod.Put, "companies/999999", """{"companyName":"x"}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(http, HttpMethod.Put, "companies/1", "not json")).Status);
        var (notUuid, notUuidBody) = await SendAsync(http, HttpMethod.Put, $"companies/{harness.Store.B2bEdition.CompanyCount + 1000}", """{"uuid":"erp-party-17"}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notUuid);
        Assert.NotNull(notUuidBody["data"]!["errMsg"]!["uuid"]);
    }

    [Fact]
    public async Task Companies_PageByLimitAndOffset_FilterByExtraFieldAndRefuseAnUnimplementedFilter()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = B2bHttp(harness);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Post, "companies",
                CompanyBody($"Page{i} {suffix}", $"p{i}-{suffix}@example.com", $$"""[{"fieldName":"ERP Account","fieldValue":"P{{i}}-{{suffix}}"}]"""))).Status);
        }

        var seen = new List<long>();
        for (var offset = 0; offset < 5; offset += 2)
        {
            var (_, page) = await SendAsync(http, HttpMethod.Get, $"companies?limit=2&offset={offset}");
            var pagination = page["meta"]!["pagination"]!;
            Assert.Equal(5, pagination["totalCount"]!.GetValue<int>());
            Assert.Equal(2, pagination["limit"]!.GetValue<int>());
            Assert.Equal(offset, pagination["offset"]!.GetValue<int>());
            Assert.Null(page["data"]![0]!["extraFields"]); // left out unless isIncludeExtraFields=1
            seen.AddRange(page["data"]!.AsArray().Select(c => c!["companyId"]!.GetValue<long>()));
        }

        Assert.Equal(5, seen.Distinct().Count());

        var (_, filtered) = await SendAsync(http, HttpMethod.Get, $"companies?isIncludeExtraFields=1&extraFieldFilterType=exact-match&extraFields=ERP%20Account:P3-{suffix}");
        var only = Assert.Single(filtered["data"]!.AsArray());
        Assert.Equal($"Page3 {suffix}", only!["companyName"]!.GetValue<string>());
        Assert.NotNull(only["extraFields"]);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await SendAsync(http, HttpMethod.Get, "companies?limit=251")).Status);
        var (refused, refusedBody) = await SendAsync(http, HttpMethod.Get, "companies?bcGroupId=3");
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Contains("bcGroupId", refusedBody["meta"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var (_, configs) = await SendAsync(http, HttpMethod.Get, "companies/extra-fields");
        Assert.Contains(configs["data"]!.AsArray(), f => f!["fieldName"]!.GetValue<string>() == "Credit Limit" && f["fieldType"]!.GetValue<int>() == 2);
    }

    [Fact]
    public async Task Users_AreStoreCustomers_FoundByCustomerId_AndTheLastUserStays()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = B2bHttp(harness);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (_, created) = await SendAsync(http, HttpMethod.Post, "companies", CompanyBody("Users " + suffix, $"admin-{suffix}@example.com"));
        var companyId = created["data"]!["companyId"]!.GetValue<long>();
        var adminCustomer = created["data"]!["customerId"]!.GetValue<long>();

        // A store customer that already exists is linked, not duplicated.
        var customers = await EmulatorHarness.SendAsync(harness.Http(), HttpMethod.Post, "v3/customers",
            $$"""[{"email":"buyer-{{suffix}}@example.com","first_name":"Bo","last_name":"Buyer"}]""");
        var buyerCustomer = customers["data"]![0]!["id"]!.GetValue<long>();
        var (status, user) = await SendAsync(http, HttpMethod.Post, "users",
            $$"""{"companyId":{{companyId}},"email":"buyer-{{suffix}}@example.com","firstName":"Bo","lastName":"Buyer","role":2,"channelIds":[1]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(buyerCustomer, user["data"]!["bcId"]!.GetValue<long>());
        var userId = user["data"]!["userId"]!.GetValue<long>();

        var (_, byCustomer) = await SendAsync(http, HttpMethod.Get, $"users/customer/{buyerCustomer}");
        Assert.Equal(companyId, byCustomer["data"]!["companyId"]!.GetValue<long>());
        Assert.Equal(userId, byCustomer["data"]!["id"]!.GetValue<long>());
        var (_, companyOfCustomer) = await SendAsync(http, HttpMethod.Get, $"companies?customerId={buyerCustomer}");
        Assert.Equal(companyId, Assert.Single(companyOfCustomer["data"]!.AsArray())!["companyId"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(http, HttpMethod.Get, "users/customer/987654")).Status);

        var (_, list) = await SendAsync(http, HttpMethod.Get, $"users?companyId={companyId}");
        Assert.Equal(2, list["meta"]!["pagination"]!["totalCount"]!.GetValue<int>());

        var (nulls, nullsBody) = await SendAsync(http, HttpMethod.Post, "users", """{"role":1,"channelIds":[1]}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, nulls);
        Assert.NotNull(nullsBody["data"]!["errMsg"]!["email"]);
        var (badRole, _) = await SendAsync(http, HttpMethod.Post, "users",
            $$"""{"companyId":{{companyId}},"email":"r-{{suffix}}@example.com","firstName":"R","lastName":"R","role":5,"channelIds":[1]}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badRole);
        var (taken, _) = await SendAsync(http, HttpMethod.Post, "users",
            $$"""{"companyId":{{companyId}},"email":"buyer-{{suffix}}@example.com","firstName":"B","lastName":"B","role":1,"channelIds":[1]}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, taken);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Delete, $"users/{userId}")).Status);
        var adminUser = (await SendAsync(http, HttpMethod.Get, $"users/customer/{adminCustomer}")).Body["data"]!["id"]!.GetValue<long>();
        var (last, lastBody) = await SendAsync(http, HttpMethod.Delete, $"users/{adminUser}");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, last);
        Assert.Contains("last user", lastBody["data"]!["errMsg"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Addresses_CreateRequiresTheDocumentedFields_ListByCompany_UpdateAndDelete()
    {
        await using var harness = await EmulatorHarness.StartAsync();
        using var http = B2bHttp(harness);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var companyId = (await SendAsync(http, HttpMethod.Post, "companies", CompanyBody("Addr " + suffix, $"addr-{suffix}@example.com"))).Body["data"]!["companyId"]!.GetValue<long>();

        var (missing, missingBody) = await SendAsync(http, HttpMethod.Post, "addresses", $$"""{"companyId":{{companyId}},"firstName":"A","lastName":"B","countryCode":"US"}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing);
        Assert.NotNull(missingBody["data"]!["errMsg"]!["addressLine1"]);
        Assert.NotNull(missingBody["data"]!["errMsg"]!["stateName"]); // a US address needs its state

        var (status, created) = await SendAsync(http, HttpMethod.Post, "addresses",
            $$"""{"companyId":{{companyId}},"firstName":"Marie","lastName":"Curie","addressLine1":"512 Bluebonnet Lane","city":"Austin","stateName":"Texas","countryName":"United States","countryCode":"US","isShipping":true,"externalId":"erp-addr-{{suffix}}"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var addressId = created["data"]!["addressId"]!.GetValue<long>();

        var (_, list) = await SendAsync(http, HttpMethod.Get, $"addresses?companyId={companyId}");
        var address = Assert.Single(list["data"]!.AsArray())!;
        Assert.Equal($"erp-addr-{suffix}", address["externalId"]!.GetValue<string>());
        Assert.True(address["isShipping"]!.GetValue<bool>());

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Put, $"addresses/{addressId}", """{"city":"Dallas"}""")).Status);
        Assert.Equal("Dallas", (await SendAsync(http, HttpMethod.Get, $"addresses/{addressId}")).Body["data"]!["city"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Delete, $"addresses/{addressId}")).Status);
        var (gone, goneBody) = await SendAsync(http, HttpMethod.Get, $"addresses/{addressId}");
        Assert.Equal(HttpStatusCode.NotFound, gone);
        Assert.Equal("Address matching query does not exist.", goneBody["data"]!["errMsg"]!.GetValue<string>());
    }

    [Fact]
    public async Task Authentication_NeedsTheStoreHashHeaderAndTheStoreToken_AndTheWindowAnswers429()
    {
        await using var harness = await EmulatorHarness.StartAsync(o => o.B2bEdition.RateLimit = new Integration.BigCommerce.Emulator.RateLimitOptions { Quota = 3, WindowMs = 60_000 });
        using var noHash = new HttpClient { BaseAddress = new Uri(harness.Emulator.BaseAddress, "api/v3/io/") };
        noHash.DefaultRequestHeaders.Add("X-Auth-Token", EmulatorHarness.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(noHash, HttpMethod.Get, "companies")).Status);

        using var wrongToken = new HttpClient { BaseAddress = new Uri(harness.Emulator.BaseAddress, "api/v3/io/") };
        wrongToken.DefaultRequestHeaders.Add("X-Auth-Token", "nope");
        wrongToken.DefaultRequestHeaders.Add("X-Store-Hash", EmulatorHarness.StoreHash);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(wrongToken, HttpMethod.Get, "companies")).Status);

        using var legacy = new HttpClient { BaseAddress = new Uri(harness.Emulator.BaseAddress, "api/v3/io/") };
        legacy.DefaultRequestHeaders.Add("authToken", EmulatorHarness.Token);
        legacy.DefaultRequestHeaders.Add("X-Store-Hash", EmulatorHarness.StoreHash);
        var (legacyStatus, legacyBody) = await SendAsync(legacy, HttpMethod.Get, "companies");
        Assert.Equal(HttpStatusCode.Unauthorized, legacyStatus);
        Assert.Contains("authToken", legacyBody["meta"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        using var http = B2bHttp(harness);
        using (var response = await http.GetAsync("companies", Token))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("3 times/60 s", response.Headers.GetValues("X-Requests-Allocated").Single());
            Assert.Equal("2 times", response.Headers.GetValues("X-Requests-Remaining").Single());
        }

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(http, HttpMethod.Get, "quotes")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Get, "companies")).Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendAsync(http, HttpMethod.Get, "companies")).Status);
        Assert.Equal(1, harness.Store.Counters.Throttled);
    }

    [Fact]
    public async Task Changes_RaiseTheStoreCompanyWebhooks_AndAnUnchangedUpdateRaisesNone()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await EmulatorHarness.StartAsync();
        await EmulatorHarness.SendAsync(harness.Http(), HttpMethod.Post, "v3/hooks", $$"""{"scope":"store/company/*","destination":"{{receiver.Url}}","is_active":true}""");
        using var http = B2bHttp(harness);
        var suffix = Guid.NewGuid().ToString("N")[..8];

        var companyId = (await SendAsync(http, HttpMethod.Post, "companies", CompanyBody("Hooks " + suffix, $"h-{suffix}@example.com"))).Body["data"]!["companyId"]!.GetValue<long>();
        await SendAsync(http, HttpMethod.Put, $"companies/{companyId}", $$"""{"companyName":"Hooks {{suffix}}"}"""); // no change
        await SendAsync(http, HttpMethod.Put, $"companies/{companyId}", """{"extraFields":[{"fieldName":"Account Manager","fieldValue":"Kim"}]}""");
        await SendAsync(http, HttpMethod.Put, $"companies/{companyId}/status", """{"companyStatus":3}""");

        var deliveries = await receiver.WaitForAsync(5);
        var scopes = deliveries.Select(d => JsonNode.Parse(d.Body)!).Select(b => (Scope: b["scope"]!.GetValue<string>(), Company: b["data"]!["company_id"]!.GetValue<long>())).ToList();
        Assert.All(scopes, s => Assert.Equal(companyId, s.Company));
        Assert.Equal(
            ["store/company/created", "store/company/statusUpdated", "store/company/updated", "store/company/updated", "store/company/user/created"],
            scopes.Select(s => s.Scope).Order(StringComparer.Ordinal));
    }
}
