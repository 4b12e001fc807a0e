using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.Core.B2b;

namespace Integration.BigCommerce.B2b;

/// <summary>
/// B2B Edition's REST management API v3 (<c>{BaseAddress}api/v3/io/...</c>, production
/// <c>https://api-b2b.bigcommerce.com/</c>) with the store's API account token (<c>X-Auth-Token</c>) and the store hash
/// (<c>X-Store-Hash</c>): the companies and users the company sync needs (docs/b2b.md). A 429 waits for the window
/// (<c>X-Request-Window-Resets-After</c>), a 5xx is retried with growing delays, at most <see cref="MaxAttempts"/> tries.
/// </summary>
public sealed class B2bEditionClient(HttpClient http, string storeHash, string token, TimeProvider? time = null) : IStoreCompanies
{
    public const int MaxAttempts = 4;
    private const int PageSize = 250;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Calls made, retries included (the reconciliation's budget counts them).</summary>
    public int Calls { get; private set; }

    public async Task<StoreCompany?> FindByAccountAsync(string account, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(account);
        var filter = Uri.EscapeDataString($"{CompanySync.AccountField}:{account}");
        var page = await SendAsync(HttpMethod.Get, $"api/v3/io/companies?isIncludeExtraFields=1&extraFieldFilterType=exact-match&extraFields={filter}&limit=2", null, cancellationToken).ConfigureAwait(false);
        var data = page["data"]!.AsArray();
        if (data.Count == 0)
        {
            return null;
        }

        if (data.Count > 1)
        {
            throw new B2bEditionException(HttpStatusCode.Conflict, "GET /companies", $"{data.Count} store companies carry one ERP account; make the '{CompanySync.AccountField}' extra field unique in B2B Edition's settings.");
        }

        var company = data[0]!.AsObject();
        var id = company["companyId"]!.GetValue<long>();
        var extra = (company["extraFields"] as JsonArray ?? []).Where(f => f is not null)
            .ToDictionary(f => f!["fieldName"]!.GetValue<string>(), f => f!["fieldValue"]?.ToString() ?? string.Empty, StringComparer.Ordinal);
        var users = new List<string>();
        for (var offset = 0; ; offset += PageSize)
        {
            var userPage = await SendAsync(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"api/v3/io/users?companyId={id}&limit={PageSize}&offset={offset}"), null, cancellationToken).ConfigureAwait(false);
            var items = userPage["data"]!.AsArray();
            users.AddRange(items.Select(u => u!["email"]!.GetValue<string>()));
            if (items.Count < PageSize)
            {
                break;
            }
        }

        string Text(string name) => company[name]?.GetValue<string>() ?? string.Empty;
        var address = Text("addressLine1").Length == 0 && Text("city").Length == 0 ? null
            : new CompanyAddress(Text("addressLine1"), Empty(Text("addressLine2")), Text("city"), Empty(Text("state")), Text("country"), Empty(Text("zipCode")));
        return new StoreCompany(id, Text("companyName"), Text("companyEmail"), Text("companyPhone"), address, extra, users);
    }

    public async Task<long> CreateAsync(ErpCompany company, IReadOnlyDictionary<string, string> extraFields, CompanyContact admin, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(company);
        ArgumentNullException.ThrowIfNull(admin);
        var body = new JsonObject
        {
            ["companyName"] = company.Name,
            ["companyEmail"] = company.Email ?? admin.Email,
            ["companyPhone"] = company.Phone ?? admin.Phone ?? string.Empty,
            ["country"] = company.Address?.CountryCode ?? string.Empty,
            ["adminFirstName"] = admin.FirstName,
            ["adminLastName"] = admin.LastName,
            ["adminEmail"] = admin.Email,
            ["acceptCreationEmail"] = false,
            ["channelIds"] = new JsonArray(1),
            ["extraFields"] = ExtraFieldsJson(extraFields),
        };
        if (admin.Phone is { Length: > 0 } phone)
        {
            body["adminPhoneNumber"] = phone;
        }

        AddAddress(body, company.Address);
        var created = await SendAsync(HttpMethod.Post, "api/v3/io/companies", body, cancellationToken).ConfigureAwait(false);
        return created["data"]!["companyId"]!.GetValue<long>();
    }

    public async Task UpdateAsync(long companyId, CompanyFieldChanges changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var body = new JsonObject();
        if (changes.Name is { } name)
        {
            body["companyName"] = name;
        }

        if (changes.Email is { } email)
        {
            body["companyEmail"] = email;
        }

        if (changes.Phone is { } phone)
        {
            body["companyPhone"] = phone;
        }

        AddAddress(body, changes.Address);
        if (changes.ExtraFields.Count > 0)
        {
            body["extraFields"] = ExtraFieldsJson(changes.ExtraFields);
        }

        await SendAsync(HttpMethod.Put, string.Create(CultureInfo.InvariantCulture, $"api/v3/io/companies/{companyId}"), body, cancellationToken).ConfigureAwait(false);
    }

    public async Task AddUserAsync(long companyId, CompanyContact contact, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var body = new JsonObject
        {
            ["companyId"] = companyId,
            ["email"] = contact.Email,
            ["firstName"] = contact.FirstName,
            ["lastName"] = contact.LastName,
            ["role"] = 1, // senior buyer: the ERP's contacts buy for the company; the store decides who administers it
            ["channelIds"] = new JsonArray(1),
            ["acceptWelcomeEmail"] = false,
        };
        if (contact.Phone is { Length: > 0 } phone)
        {
            body["phoneNumber"] = phone;
        }

        await SendAsync(HttpMethod.Post, "api/v3/io/users", body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The company of a store customer (a company user's customer id), or null for a retail shopper.</summary>
    public async Task<long?> CompanyOfCustomerAsync(long customerId, CancellationToken cancellationToken = default)
    {
        try
        {
            var user = await SendAsync(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"api/v3/io/users/customer/{customerId}"), null, cancellationToken).ConfigureAwait(false);
            return user["data"]!["companyId"]!.GetValue<long>();
        }
        catch (B2bEditionException ex) when (ex.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// The B2B Edition company of a store customer as the canonical model carries it on <c>Customer.Company</c>: its
    /// name, <c>Ids.BigCommerce</c> the company id (the CRM company's key, <c>CrmNaturalKeys.Company</c>) and
    /// <c>Ids.Erp</c> its ERP account (the sale's party); null for a retail shopper. Two calls.
    /// </summary>
    public async Task<Integration.Core.Model.Company?> CompanyLinkOfCustomerAsync(long customerId, CancellationToken cancellationToken = default)
    {
        if (await CompanyOfCustomerAsync(customerId, cancellationToken).ConfigureAwait(false) is not { } companyId)
        {
            return null;
        }

        var company = (await SendAsync(HttpMethod.Get, string.Create(CultureInfo.InvariantCulture, $"api/v3/io/companies/{companyId}"), null, cancellationToken).ConfigureAwait(false))["data"]!;
        var account = (company["extraFields"] as JsonArray ?? []).FirstOrDefault(f => f?["fieldName"]?.GetValue<string>() == CompanySync.AccountField)?["fieldValue"]?.ToString();
        return new Integration.Core.Model.Company
        {
            Name = company["companyName"]?.GetValue<string>() ?? string.Empty,
            Ids = new Integration.Core.Model.SystemIds(BigCommerce: companyId.ToString(CultureInfo.InvariantCulture), Erp: string.IsNullOrEmpty(account) ? null : account),
        };
    }

    private static JsonArray ExtraFieldsJson(IReadOnlyDictionary<string, string> fields) =>
        new([.. fields.Select(f => (JsonNode)new JsonObject { ["fieldName"] = f.Key, ["fieldValue"] = f.Value })]);

    private static void AddAddress(JsonObject body, CompanyAddress? address)
    {
        if (address is null)
        {
            return;
        }

        body["addressLine1"] = address.Line1;
        body["addressLine2"] = address.Line2 ?? string.Empty;
        body["city"] = address.City;
        body["state"] = address.State ?? string.Empty;
        body["country"] = address.CountryCode;
        body["zipCode"] = address.PostalCode ?? string.Empty;
    }

    private static string? Empty(string value) => value.Length == 0 ? null : value;

    private async Task<JsonObject> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        var operation = $"{method} /{path.Split('?')[0]}";
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Add("X-Auth-Token", token);
            request.Headers.Add("X-Store-Hash", storeHash);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (body is not null)
            {
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            }

            Calls++;
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    return JsonNode.Parse(text) as JsonObject ?? throw new B2bEditionException(response.StatusCode, operation, "The answer is not a JSON object.");
                }
                catch (JsonException)
                {
                    throw new B2bEditionException(response.StatusCode, operation, "The answer is not JSON.");
                }
            }

            var retryable = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
            if (!retryable || attempt >= MaxAttempts)
            {
                throw new B2bEditionException(response.StatusCode, operation, MessageOf(text));
            }

            var wait = TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt));
            if (response.StatusCode == HttpStatusCode.TooManyRequests && response.Headers.TryGetValues("X-Request-Window-Resets-After", out var values)
                && double.TryParse(values.First().Replace(" s", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                wait = TimeSpan.FromSeconds(Math.Clamp(seconds, 0.05, 60));
            }

            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string MessageOf(string text)
    {
        try
        {
            return JsonNode.Parse(text)?["meta"]?["message"]?.GetValue<string>() ?? "(no message)";
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return "(not JSON)";
        }
    }
}

/// <summary>
/// A B2B Edition answer the client does not retry (or still failed after its retries). <see cref="Exception.Message"/>
/// names the operation and status only; B2B Edition's own message (which can quote an e-mail) is in <see cref="Detail"/>.
/// </summary>
public sealed class B2bEditionException(HttpStatusCode status, string operation, string detail)
    : Exception($"B2B Edition answered {(int)status} to {operation}.")
{
    public HttpStatusCode Status { get; } = status;

    public string Detail { get; } = detail;

    /// <summary>Transient: throttled or a server error (the caller may try again later).</summary>
    public bool IsTransient => Status == HttpStatusCode.TooManyRequests || (int)Status >= 500;
}
