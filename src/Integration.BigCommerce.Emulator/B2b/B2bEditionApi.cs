using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Emulator.State;

namespace Integration.BigCommerce.Emulator.B2b;

/// <summary>
/// B2B Edition's REST management API v3 (<c>https://api-b2b.bigcommerce.com/api/v3/io/...</c>), served at
/// <c>{BaseAddress}api/v3/io/...</c>: companies (extra fields, status), users, addresses. Every request names its
/// store in <c>X-Store-Hash</c> and carries the store's API account token in <c>X-Auth-Token</c> (no store hash in the
/// path, unlike the store API). Bodies are B2B Edition's envelope <c>{code, data, meta: {message[, pagination]}}</c>,
/// lists are paged by <c>limit</c> (default 10, at most 250) and <c>offset</c>. docs/b2b.md lists the sources and
/// what the emulator chose where they are silent.
/// </summary>
internal static class B2bEditionApi
{
    public const string BasePath = "/api/v3/io";
    private const int MaxLimit = 250;
    private const int BulkMax = 10;

    public static void Map(IEndpointRouteBuilder app, IReadOnlyDictionary<string, EmulatedStore> stores)
    {
        var gate = new Gate(stores);
        var api = app.MapGroup(BasePath);
        gate.Get(api, "/companies", GetCompaniesAsync, "limit", "offset", "minModified", "maxModified", "minCreated", "maxCreated", "sortBy", "orderBy",
            "isIncludeExtraFields", "companyStatus", "q", "extraFields", "extraFieldFilterType", "customerId");
        gate.Post(api, "/companies", CreateCompanyAsync);
        gate.Get(api, "/companies/extra-fields", GetExtraFieldsAsync, "limit", "offset");
        gate.Get(api, "/companies/{companyId}", GetCompanyAsync);
        gate.Put(api, "/companies/{companyId}", UpdateCompanyAsync);
        gate.Delete(api, "/companies/{companyId}", DeleteCompanyAsync);
        gate.Put(api, "/companies/{companyId}/status", SetStatusAsync);
        gate.Get(api, "/users", GetUsersAsync, "limit", "offset", "companyId", "email", "minModified", "isIncludeExtraFields");
        gate.Post(api, "/users", CreateUserAsync);
        gate.Post(api, "/users/bulk", CreateUsersBulkAsync);
        gate.Get(api, "/users/customer/{customerId}", GetUserByCustomerAsync);
        gate.Get(api, "/users/{userId}", GetUserAsync);
        gate.Put(api, "/users/{userId}", UpdateUserAsync);
        gate.Delete(api, "/users/{userId}", DeleteUserAsync);
        gate.Get(api, "/addresses", GetAddressesAsync, "limit", "offset", "companyId", "externalId[]");
        gate.Post(api, "/addresses", CreateAddressAsync);
        gate.Get(api, "/addresses/{addressId}", GetAddressAsync);
        gate.Put(api, "/addresses/{addressId}", UpdateAddressAsync);
        gate.Delete(api, "/addresses/{addressId}", DeleteAddressAsync);

        // Any other path: 404 in the envelope, after the authentication check.
        gate.Map(api, "/{**path}", context => Envelope(context, 404, new JsonObject(), "The requested resource was not found (the emulator does not serve this B2B Edition route)."));
    }

    private static EmulatedB2bEdition B2b(HttpContext context) => ((EmulatedStore)context.Items[typeof(EmulatedStore)]!).B2bEdition;

    // ------------------------------------------------------------------ companies

    private static async Task GetCompaniesAsync(HttpContext context)
    {
        if (await PagingAsync(context) is not { } paging)
        {
            return;
        }

        var q = context.Request.Query;
        var extra = new List<(string, string)>();
        foreach (var pair in q["extraFields"].SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries)))
        {
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                await ParameterErrorAsync(context, "extraFields", $"'{pair}' is not name:value.");
                return;
            }

            extra.Add((pair[..colon], pair[(colon + 1)..]));
        }

        if (!TryLong(q["minModified"], out var minModified) || !TryLong(q["maxModified"], out var maxModified)
            || !TryLong(q["minCreated"], out var minCreated) || !TryLong(q["maxCreated"], out var maxCreated) || !TryLong(q["customerId"], out var customerId)
            || !TryLong(q["companyStatus"], out var status) || status is < 0 or > 3
            || q["sortBy"].ToString() is { Length: > 0 } sortBy && sortBy is not ("companyName" or "updatedAt")
            || q["orderBy"].ToString() is { Length: > 0 } orderBy && orderBy is not ("ASC" or "DESC")
            || q["isIncludeExtraFields"].ToString() is { Length: > 0 } include && include is not ("0" or "1")
            || q["extraFieldFilterType"].ToString() is { Length: > 0 } type && type is not ("search" or "exact-match"))
        {
            await ParameterErrorAsync(context, "query",
                "minModified, maxModified, minCreated, maxCreated and customerId are integers; companyStatus 0-3; sortBy companyName or updatedAt; orderBy ASC or DESC; isIncludeExtraFields 0 or 1; extraFieldFilterType search or exact-match.");
            return;
        }

        var filter = new CompanyFilter((int?)status, q["q"].ToString() is { Length: > 0 } text ? text : null, minModified, maxModified, minCreated, maxCreated,
            customerId, extra, q["extraFieldFilterType"] == "exact-match", q["isIncludeExtraFields"] == "1", q["sortBy"] == "companyName", q["orderBy"] == "ASC");
        var (items, total) = B2b(context).QueryCompanies(filter, paging.Offset, paging.Limit);
        await ListAsync(context, items, total, paging);
    }

    private static async Task GetCompanyAsync(HttpContext context)
    {
        if (RouteId(context, "companyId") is { } id && B2b(context).GetCompany(id) is { } company)
        {
            await Envelope(context, 200, company);
            return;
        }

        await CompanyNotFoundAsync(context);
    }

    private static async Task CreateCompanyAsync(HttpContext context)
    {
        if (await BodyAsync(context) is not { } body)
        {
            return;
        }

        var required = new[] { "companyName", "companyPhone", "companyEmail", "country", "adminFirstName", "adminLastName", "adminEmail" };
        if (required.FirstOrDefault(name => string.IsNullOrWhiteSpace(Text(body, name))) is { } missing)
        {
            await Envelope(context, 422, new JsonObject(), $"The {missing} field is required.");
            return;
        }

        if (await CompanyInputAsync(context, body) is not { } input)
        {
            return;
        }

        if (!IsEmail(Text(body, "adminEmail")!) || !IsEmail(Text(body, "companyEmail")!))
        {
            await Envelope(context, 422, new JsonObject(), "companyEmail and adminEmail must be e-mail addresses.");
            return;
        }

        var admin = new UserInput(0, Text(body, "adminEmail")!, Text(body, "adminFirstName")!, Text(body, "adminLastName")!, Text(body, "adminPhoneNumber"), 0, null);
        var (companyId, customerId, groupId, error) = B2b(context).CreateCompany(input, admin);
        if (error is not null)
        {
            await Envelope(context, 422, new JsonObject(), error);
            return;
        }

        await Envelope(context, 200, new JsonObject { ["companyId"] = companyId, ["customerId"] = customerId, ["customerGroupId"] = groupId });
    }

    private static async Task UpdateCompanyAsync(HttpContext context)
    {
        if (RouteId(context, "companyId") is not { } id)
        {
            await CompanyNotFoundAsync(context);
            return;
        }

        if (await BodyAsync(context) is not { } body || await CompanyInputAsync(context, body) is not { } input)
        {
            return;
        }

        if (body.ContainsKey("companyId") && (body["companyId"] is not JsonValue v || !v.TryGetValue<long>(out var sent) || sent != id))
        {
            await Envelope(context, 422, new JsonObject(), "companyId is read-only; it must be left out or equal the company in the path.");
            return;
        }

        var (found, error) = B2b(context).UpdateCompany(id, input);
        if (!found)
        {
            await CompanyNotFoundAsync(context);
            return;
        }

        if (error is not null)
        {
            await Envelope(context, 422, new JsonObject(), error);
            return;
        }

        await Envelope(context, 200, new JsonObject { ["companyId"] = id });
    }

    private static async Task DeleteCompanyAsync(HttpContext context)
    {
        if (RouteId(context, "companyId") is { } id && B2b(context).DeleteCompany(id))
        {
            await Envelope(context, 200, new JsonObject());
            return;
        }

        await CompanyNotFoundAsync(context);
    }

    private static async Task SetStatusAsync(HttpContext context)
    {
        if (await BodyAsync(context) is not { } body)
        {
            return;
        }

        if (body["companyStatus"] is not JsonValue value || !value.TryGetValue<int>(out var status) || status is < 0 or > 3)
        {
            await ParameterErrorAsync(context, "companyStatus", "companyStatus is required: 0 pending, 1 approved, 2 rejected, 3 inactive.");
            return;
        }

        if (RouteId(context, "companyId") is { } id && B2b(context).SetStatus(id, status) is not null)
        {
            await Envelope(context, 200, new JsonObject { ["companyId"] = id });
            return;
        }

        await CompanyNotFoundAsync(context);
    }

    private static async Task GetExtraFieldsAsync(HttpContext context)
    {
        if (await PagingAsync(context) is not { } paging)
        {
            return;
        }

        var (items, total) = B2b(context).ExtraFieldConfigs(paging.Offset, paging.Limit);
        await ListAsync(context, items, total, paging);
    }

    /// <summary>The company fields of a POST or PUT body; writes the 422 and returns null when one has the wrong type.</summary>
    private static async Task<CompanyInput?> CompanyInputAsync(HttpContext context, JsonObject body)
    {
        var texts = new[] { "companyName", "companyEmail", "companyPhone", "uuid", "addressLine1", "addressLine2", "city", "state", "country", "zipCode" };
        if (texts.FirstOrDefault(name => body[name] is { } node && node.GetValueKind() != JsonValueKind.String) is { } wrong)
        {
            await ParameterErrorAsync(context, wrong, "must be a string.");
            return null;
        }

        long? group = null;
        if (body["customerGroupId"] is { } groupNode)
        {
            if (groupNode is not JsonValue gv || !gv.TryGetValue<long>(out var g) || g < 0)
            {
                await ParameterErrorAsync(context, "customerGroupId", "must be a non-negative integer.");
                return null;
            }

            group = g;
        }

        List<KeyValuePair<string, string>>? extra = null;
        if (body["extraFields"] is { } extraNode)
        {
            if (extraNode is not JsonArray array)
            {
                await ParameterErrorAsync(context, "extraFields", "must be an array of {fieldName, fieldValue}.");
                return null;
            }

            extra = [];
            foreach (var item in array)
            {
                if (item is not JsonObject field || Text(field, "fieldName") is not { Length: > 0 } name || field["fieldValue"] is not JsonValue fv
                    || fv.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Number))
                {
                    await ParameterErrorAsync(context, "extraFields", "each item needs a fieldName and a fieldValue (a string or a number).");
                    return null;
                }

                extra.Add(new(name, fv.GetValueKind() == JsonValueKind.String ? fv.GetValue<string>() : fv.ToJsonString()));
            }
        }

        if (Text(body, "uuid") is { Length: > 0 } uuid && !Guid.TryParseExact(uuid, "D", out _))
        {
            await ParameterErrorAsync(context, "uuid", "must be a UUID (company.yaml: format uuid).");
            return null;
        }

        if (Text(body, "companyName") is { } companyName && companyName.Length is 0 or > 200)
        {
            await ParameterErrorAsync(context, "companyName", "must be 1-200 characters.");
            return null;
        }

        return new CompanyInput(Text(body, "companyName"), Text(body, "companyEmail"), Text(body, "companyPhone"), group, Text(body, "uuid"),
            Text(body, "addressLine1"), Text(body, "addressLine2"), Text(body, "city"), Text(body, "state"), Text(body, "country"), Text(body, "zipCode"), extra);
    }

    private static Task CompanyNotFoundAsync(HttpContext context) => Envelope(context, 404, new JsonObject(), "This resource is not found.");

    // ------------------------------------------------------------------ users

    private static async Task GetUsersAsync(HttpContext context)
    {
        if (await PagingAsync(context) is not { } paging)
        {
            return;
        }

        var q = context.Request.Query;
        if (!TryLong(q["companyId"], out var companyId) || !TryLong(q["minModified"], out var minModified)
            || q["isIncludeExtraFields"].ToString() is { Length: > 0 } include && include is not ("0" or "1"))
        {
            await ParameterErrorAsync(context, "query", "companyId and minModified are integers; isIncludeExtraFields 0 or 1.");
            return;
        }

        var email = q["email"].ToString() is { Length: > 0 } e ? e : null;
        var (items, total) = B2b(context).QueryUsers(companyId, email, minModified, q["isIncludeExtraFields"] == "1", paging.Offset, paging.Limit);
        await ListAsync(context, items, total, paging);
    }

    private static async Task GetUserAsync(HttpContext context)
    {
        if (RouteId(context, "userId") is { } id && B2b(context).GetUser(id) is { } user)
        {
            await Envelope(context, 200, user, "Success");
            return;
        }

        await UserNotFoundAsync(context);
    }

    private static async Task GetUserByCustomerAsync(HttpContext context)
    {
        if (RouteId(context, "customerId") is { } id && B2b(context).GetUserByCustomer(id) is { } user)
        {
            await Envelope(context, 200, user, "Success");
            return;
        }

        await UserNotFoundAsync(context);
    }

    private static async Task CreateUserAsync(HttpContext context)
    {
        if (await BodyAsync(context) is not { } body || await UserInputAsync(context, body) is not { } input)
        {
            return;
        }

        var (userId, customerId, error) = B2b(context).CreateUser(input);
        if (error is not null)
        {
            await Envelope(context, 422, new JsonObject { ["errMsg"] = error }, "Processing data contains logical errors");
            return;
        }

        await Envelope(context, 200, new JsonObject { ["userId"] = userId, ["bcId"] = customerId }, "Success");
    }

    private static async Task CreateUsersBulkAsync(HttpContext context)
    {
        JsonArray? array;
        try
        {
            array = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonArray;
        }
        catch (JsonException)
        {
            array = null;
        }

        if (array is null)
        {
            await ParameterErrorAsync(context, "body", "must be a JSON array of users.");
            return;
        }

        if (array.Count > BulkMax)
        {
            await Envelope(context, 413, new JsonObject { ["errMsg"] = "Add up to ten data at a time" }, "Request Entity Too Large");
            return;
        }

        var inputs = new List<UserInput>();
        foreach (var item in array)
        {
            if (item is not JsonObject body)
            {
                await ParameterErrorAsync(context, "body", "each item must be a user object.");
                return;
            }

            if (await UserInputAsync(context, body) is not { } input)
            {
                return;
            }

            inputs.Add(input);
        }

        var created = new JsonArray();
        foreach (var input in inputs)
        {
            var (userId, customerId, error) = B2b(context).CreateUser(input);
            if (error is not null)
            {
                // Users before this one stay created: B2B Edition documents no all-or-none rule for the bulk endpoint.
                await Envelope(context, 422, new JsonObject { ["errMsg"] = error }, "Processing data contains logical errors");
                return;
            }

            created.Add(new JsonObject { ["userId"] = userId, ["bcId"] = customerId });
        }

        await Envelope(context, 200, created, "Success");
    }

    private static async Task UpdateUserAsync(HttpContext context)
    {
        if (await BodyAsync(context) is not { } body)
        {
            return;
        }

        if (body.ContainsKey("companyId") || body.ContainsKey("originChannelId"))
        {
            await ParameterErrorAsync(context, body.ContainsKey("companyId") ? "companyId" : "originChannelId", "is read-only for a user account.");
            return;
        }

        int? role = null;
        if (body["role"] is { } roleNode)
        {
            if (roleNode is not JsonValue rv || !rv.TryGetValue<int>(out var r) || r is < 0 or > 2)
            {
                await ParameterErrorAsync(context, "role", $"\"{roleNode.ToJsonString().Trim('"')}\" is not a valid choice.");
                return;
            }

            role = r;
        }

        if (Text(body, "email") is { } email && !IsEmail(email))
        {
            await ParameterErrorAsync(context, "email", "Enter a valid email address.");
            return;
        }

        if (RouteId(context, "userId") is not { } id)
        {
            await UserNotFoundAsync(context);
            return;
        }

        var (user, error) = B2b(context).UpdateUser(id, new UserChanges(Text(body, "email"), Text(body, "firstName"), Text(body, "lastName"), Text(body, "phoneNumber"), role, Text(body, "uuid")));
        if (error is not null)
        {
            await Envelope(context, 422, new JsonObject { ["errMsg"] = error }, "Processing data contains logical errors");
        }
        else if (user is null)
        {
            await UserNotFoundAsync(context);
        }
        else
        {
            await Envelope(context, 200, user, "Success");
        }
    }

    private static async Task DeleteUserAsync(HttpContext context)
    {
        if (RouteId(context, "userId") is not { } id)
        {
            await UserNotFoundAsync(context);
            return;
        }

        var (found, error) = B2b(context).DeleteUser(id);
        if (!found)
        {
            await UserNotFoundAsync(context);
        }
        else if (error is not null)
        {
            await Envelope(context, 422, new JsonObject { ["errMsg"] = error }, "Processing data contains logical errors");
        }
        else
        {
            await Envelope(context, 200, new JsonObject { ["userId"] = id }, "Success");
        }
    }

    private static async Task<UserInput?> UserInputAsync(HttpContext context, JsonObject body)
    {
        var errors = new JsonObject();
        foreach (var name in new[] { "firstName", "lastName", "email", "companyId" })
        {
            if (body[name] is null)
            {
                errors[name] = new JsonArray("This field may not be null.");
            }
        }

        if (errors.Count > 0)
        {
            await Envelope(context, 422, new JsonObject { ["errMsg"] = errors }, "Parameter Error");
            return null;
        }

        if (body["role"] is not { } roleNode)
        {
            await Envelope(context, 422, new JsonObject { ["errMsg"] = new JsonObject { ["non_field_errors"] = new JsonArray("User must have a role.") } }, "Parameter Error");
            return null;
        }

        if (roleNode is not JsonValue rv || !rv.TryGetValue<int>(out var role) || role is < 0 or > 2)
        {
            await ParameterErrorAsync(context, "role", $"\"{roleNode.ToJsonString().Trim('"')}\" is not a valid choice.");
            return null;
        }

        if (body["channelIds"] is not JsonArray { Count: > 0 })
        {
            await Envelope(context, 422, new JsonObject { ["errMsg"] = "At least one B2B storefront needs to be enabled for a Company user." }, "Processing data contains logical errors");
            return null;
        }

        if (Text(body, "email") is not { } email || !IsEmail(email))
        {
            await ParameterErrorAsync(context, "email", "Enter a valid email address.");
            return null;
        }

        if (body["companyId"] is not JsonValue cv || !cv.TryGetValue<long>(out var companyId)
            || Text(body, "firstName") is not { Length: > 0 and <= 150 } first || Text(body, "lastName") is not { Length: > 0 and <= 150 } last)
        {
            await ParameterErrorAsync(context, "companyId", "companyId is an integer; firstName and lastName are 1-150 characters.");
            return null;
        }

        return new UserInput(companyId, email, first, last, Text(body, "phoneNumber"), role, Text(body, "uuid"));
    }

    private static Task UserNotFoundAsync(HttpContext context) =>
        Envelope(context, 404, new JsonObject { ["errMsg"] = "User matching query does not exist." }, "Not Found Error");

    // ------------------------------------------------------------------ addresses

    private static async Task GetAddressesAsync(HttpContext context)
    {
        if (await PagingAsync(context) is not { } paging)
        {
            return;
        }

        if (!TryLong(context.Request.Query["companyId"], out var companyId))
        {
            await ParameterErrorAsync(context, "companyId", "is an integer.");
            return;
        }

        var externalIds = context.Request.Query.TryGetValue("externalId[]", out var raw) ? raw.Select(v => v ?? string.Empty).ToList() : null;
        var (items, total) = B2b(context).QueryAddresses(companyId, externalIds, paging.Offset, paging.Limit);
        await ListAsync(context, items, total, paging);
    }

    private static async Task GetAddressAsync(HttpContext context)
    {
        if (RouteId(context, "addressId") is { } id && B2b(context).GetAddress(id) is { } address)
        {
            await Envelope(context, 200, address);
            return;
        }

        await AddressNotFoundAsync(context);
    }

    private static async Task CreateAddressAsync(HttpContext context)
    {
        if (await BodyAsync(context) is not { } body || await AddressInputAsync(context, body, create: true) is not { } input)
        {
            return;
        }

        var (id, error) = B2b(context).CreateAddress(input);
        if (error is not null)
        {
            await ParameterErrorAsync(context, "companyId", error);
            return;
        }

        await Envelope(context, 200, new JsonObject { ["addressId"] = id });
    }

    private static async Task UpdateAddressAsync(HttpContext context)
    {
        if (await BodyAsync(context) is not { } body || await AddressInputAsync(context, body, create: false) is not { } input)
        {
            return;
        }

        if (RouteId(context, "addressId") is { } id && B2b(context).UpdateAddress(id, input))
        {
            await Envelope(context, 200, new JsonObject { ["addressId"] = id });
            return;
        }

        await AddressNotFoundAsync(context);
    }

    private static async Task DeleteAddressAsync(HttpContext context)
    {
        if (RouteId(context, "addressId") is { } id && B2b(context).DeleteAddress(id))
        {
            await Envelope(context, 200, new JsonObject { ["addressId"] = id });
            return;
        }

        await AddressNotFoundAsync(context);
    }

    /// <summary>The countries whose addresses need a state (B2B Edition: "a designated country"; the emulator's list).</summary>
    private static readonly string[] StateCountries = ["US", "CA", "AU", "United States", "Canada", "Australia"];

    private static async Task<AddressInput?> AddressInputAsync(HttpContext context, JsonObject body, bool create)
    {
        var texts = new[] { "firstName", "lastName", "addressLine1", "addressLine2", "city", "stateName", "stateCode", "countryName", "countryCode", "zipCode", "phoneNumber", "label", "externalId" };
        if (texts.FirstOrDefault(name => body[name] is { } node && node.GetValueKind() != JsonValueKind.String) is { } wrong)
        {
            await ParameterErrorAsync(context, wrong, "must be a string.");
            return null;
        }

        var flags = new[] { "isBilling", "isShipping", "isDefaultBilling", "isDefaultShipping" };
        if (flags.FirstOrDefault(name => body[name] is { } node && node.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False)) is { } notFlag)
        {
            await ParameterErrorAsync(context, notFlag, "must be true or false.");
            return null;
        }

        if (create)
        {
            var errors = new JsonObject();
            foreach (var name in new[] { "firstName", "lastName", "addressLine1", "city", "companyId" })
            {
                if (body[name] is null || body[name]!.GetValueKind() == JsonValueKind.String && string.IsNullOrWhiteSpace(Text(body, name)))
                {
                    errors[name] = new JsonArray("This field is required.");
                }
            }

            var country = Text(body, "countryCode") is { Length: > 0 } code ? code : Text(body, "countryName");
            if (string.IsNullOrWhiteSpace(country))
            {
                errors["countryName"] = new JsonArray("This field is required.");
            }
            else if (StateCountries.Contains(country, StringComparer.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(Text(body, "stateName")) && string.IsNullOrWhiteSpace(Text(body, "stateCode")))
            {
                errors["stateName"] = new JsonArray("Please enter a valid state name or state abbreviation for the country.");
            }

            if (errors.Count > 0)
            {
                await Envelope(context, 422, new JsonObject { ["errMsg"] = errors }, "Parameter Error");
                return null;
            }
        }

        long? companyId = null;
        if (body["companyId"] is { } companyNode)
        {
            // The Address model types companyId as a string, the request examples as a number: both are taken.
            if (!(companyNode is JsonValue cv && (cv.TryGetValue<long>(out var n) || (cv.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out n)))))
            {
                await ParameterErrorAsync(context, "companyId", "is an integer.");
                return null;
            }

            companyId = n;
        }

        bool? Flag(string name) => body[name] is JsonValue v ? v.GetValue<bool>() : null;
        return new AddressInput(companyId, Text(body, "firstName"), Text(body, "lastName"), Text(body, "addressLine1"), Text(body, "addressLine2"), Text(body, "city"),
            Text(body, "stateName"), Text(body, "stateCode"), Text(body, "countryName"), Text(body, "countryCode"), Text(body, "zipCode"), Text(body, "phoneNumber"),
            Flag("isBilling"), Flag("isShipping"), Flag("isDefaultBilling"), Flag("isDefaultShipping"), Text(body, "label"), Text(body, "externalId"));
    }

    private static Task AddressNotFoundAsync(HttpContext context) =>
        Envelope(context, 404, new JsonObject { ["errMsg"] = "Address matching query does not exist." }, "Not Found Error");

    // ------------------------------------------------------------------ envelope, paging, bodies

    internal static Task Envelope(HttpContext context, int code, JsonNode data, string message = "SUCCESS") =>
        Write(context, code, new JsonObject { ["code"] = code, ["data"] = data, ["meta"] = new JsonObject { ["message"] = message } });

    private static Task Write(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private static Task ListAsync(HttpContext context, List<JsonObject> items, int total, Paging paging) =>
        Write(context, 200, new JsonObject
        {
            ["code"] = 200,
            ["data"] = new JsonArray([.. items]),
            ["meta"] = new JsonObject
            {
                ["message"] = "SUCCESS",
                ["pagination"] = new JsonObject { ["limit"] = paging.Limit, ["offset"] = paging.Offset, ["totalCount"] = total },
            },
        });

    private static Task ParameterErrorAsync(HttpContext context, string field, string message) =>
        Envelope(context, 422, new JsonObject { ["errMsg"] = new JsonObject { [field] = new JsonArray(message) } }, "Parameter Error");

    private sealed record Paging(int Limit, int Offset);

    /// <summary><c>limit</c> (default 10, 1-250; past 250 a 413 as the status codes page describes) and <c>offset</c> (default 0).</summary>
    private static async Task<Paging?> PagingAsync(HttpContext context)
    {
        var q = context.Request.Query;
        if (!TryLong(q["limit"], out var limit) || !TryLong(q["offset"], out var offset) || limit < 1 || offset < 0)
        {
            await ParameterErrorAsync(context, "limit", "limit is a positive integer, offset a non-negative integer.");
            return null;
        }

        if (limit > MaxLimit)
        {
            await Envelope(context, 413, new JsonObject(), $"Request Entity Too Large: limit {limit} is over the maximum of {MaxLimit}.");
            return null;
        }

        return new Paging((int)(limit ?? 10), (int)(offset ?? 0));
    }

    private static async Task<JsonObject?> BodyAsync(HttpContext context)
    {
        try
        {
            if (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) is JsonObject body)
            {
                return body;
            }
        }
        catch (JsonException)
        {
            // answered below
        }

        await Envelope(context, 400, new JsonObject(), "The request body must be a JSON object.");
        return null;
    }

    private static string? Text(JsonObject body, string name) =>
        body[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static bool IsEmail(string value) => value.Length is > 2 and <= 200 && value.IndexOf('@', StringComparison.Ordinal) is > 0 && !value.EndsWith('@');

    private static bool TryLong(string? raw, out long? value)
    {
        value = null;
        if (string.IsNullOrEmpty(raw))
        {
            return true;
        }

        if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }

    private static long? RouteId(HttpContext context, string name) =>
        long.TryParse(context.Request.RouteValues[name] as string, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;

    /// <summary>
    /// What runs before every B2B Edition endpoint: the store from <c>X-Store-Hash</c>, its token in <c>X-Auth-Token</c>
    /// (401 otherwise; the legacy <c>authToken</c> header is not served), counters, injected faults, B2B Edition's own
    /// request window (<c>X-Requests-*</c> headers, 429 when spent), then the query parameters the endpoint implements.
    /// </summary>
    private sealed class Gate(IReadOnlyDictionary<string, EmulatedStore> stores)
    {
        public void Get(RouteGroupBuilder api, string pattern, RequestDelegate handler, params string[] query) => api.MapGet(pattern, Wrap("GET", pattern, handler, query));

        public void Post(RouteGroupBuilder api, string pattern, RequestDelegate handler) => api.MapPost(pattern, Wrap("POST", pattern, handler, []));

        public void Put(RouteGroupBuilder api, string pattern, RequestDelegate handler) => api.MapPut(pattern, Wrap("PUT", pattern, handler, []));

        public void Delete(RouteGroupBuilder api, string pattern, RequestDelegate handler) => api.MapDelete(pattern, Wrap("DELETE", pattern, handler, []));

        public void Map(RouteGroupBuilder api, string pattern, RequestDelegate handler) => api.Map(pattern, Wrap(null, pattern, handler, null));

        private RequestDelegate Wrap(string? method, string pattern, RequestDelegate handler, string[]? query)
        {
            var operation = method is null ? null : $"{method} {BasePath}{pattern}";
            var supported = query is null ? null : new HashSet<string>(query, StringComparer.Ordinal);
            return async context =>
            {
                var hash = context.Request.Headers["X-Store-Hash"].ToString();
                if (hash.Length == 0 || !stores.TryGetValue(hash, out var store))
                {
                    await Envelope(context, 401, new JsonObject(), hash.Length == 0 ? "The X-Store-Hash header is required." : $"No store '{hash}' has B2B Edition here.");
                    return;
                }

                var token = context.Request.Headers["X-Auth-Token"].ToString();
                if (token.Length == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(store.ApiToken)))
                {
                    await Envelope(context, 401, new JsonObject(), context.Request.Headers.ContainsKey("authToken") && token.Length == 0
                        ? "The emulator serves the store's API account token in X-Auth-Token; the legacy B2B Edition authToken is not served."
                        : "The X-Auth-Token header is missing or not valid for this store.");
                    return;
                }

                context.Items[typeof(EmulatedStore)] = store;
                var name = operation ?? $"{context.Request.Method} {BasePath}/(unknown)";
                store.Counters.Request(name);
                var fault = store.Faults.NextFault(name);
                if (fault == 429)
                {
                    store.Counters.HeaderlessThrottle();
                    await Envelope(context, 429, new JsonObject(), "Too many requests (platform load).");
                    return;
                }

                var window = store.B2bEdition.RateLimit;
                var allowed = window.TryTake(out var left, out var resetMs);
                var headers = context.Response.Headers;
                headers["X-Requests-Allocated"] = string.Create(CultureInfo.InvariantCulture, $"{window.Quota} times/{window.WindowMs / 1000.0} s");
                headers["X-Requests-Remaining"] = string.Create(CultureInfo.InvariantCulture, $"{left} times");
                headers["X-Request-Window-Resets-After"] = string.Create(CultureInfo.InvariantCulture, $"{resetMs / 1000.0} s");
                if (!allowed)
                {
                    store.Counters.Throttle();
                    await Envelope(context, 429, new JsonObject(), "Too Many Requests: the B2B Edition request window is spent; retry after X-Request-Window-Resets-After.");
                    return;
                }

                if (fault is { } status)
                {
                    store.Counters.ServerError();
                    await Envelope(context, status, new JsonObject(), "Injected fault.");
                    return;
                }

                if (supported is not null && context.Request.Query.Keys.Where(k => !supported.Contains(k)).Order(StringComparer.Ordinal).ToList() is { Count: > 0 } unknown)
                {
                    await Envelope(context, 400, new JsonObject(), $"The emulator does not implement the query parameter(s) {string.Join(", ", unknown)} on this endpoint; it implements: {(supported.Count == 0 ? "none" : string.Join(", ", supported.Order(StringComparer.Ordinal)))}.");
                    return;
                }

                await handler(context);
            };
        }
    }
}
