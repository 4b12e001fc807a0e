using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Integration.BigCommerce.Tests.Support;
using Integration.Testing;

namespace Integration.BigCommerce.Tests.B2bEdition;

/// <summary>
/// The emulator's B2B Edition routes held to BigCommerce's published B2B Edition OpenAPI files (bigcommerce/docs,
/// <c>docs/b2b-edition/specs/api-v3/{company,user,address}</c> and the <c>models/</c> they reference), through one
/// Prism proxy per file: every request and every response must conform. The files live in
/// <c>../shared/bigcommerce/b2b-edition/</c> (docs/b2b.md); their references to raw.githubusercontent.com are pointed at
/// a local copy made per run, since Prism runs offline.
/// </summary>
public sealed class B2bEditionPrismFixture : IAsyncLifetime
{
    public const string SpecFolder = "bigcommerce/b2b-edition";

    private const string RawPrefix = "https://raw.githubusercontent.com/bigcommerce/docs/main/docs/b2b-edition/";

    // Path prefix after /api/v3/io/ -> spec file under specs/api-v3.
    private static readonly (string Prefix, string Spec)[] Routes =
    [
        ("companies", "company/company.yaml"),
        ("users", "user/user.yaml"),
        ("addresses", "address/address.yaml"),
    ];

    private readonly List<ManagedProcess> _prisms = [];
    private readonly Dictionary<string, Uri> _proxies = new(StringComparer.Ordinal);
    private EmulatorHarness? _harness;
    private string? _copy;

    public string? SkipReason { get; private set; }

    public EmulatorHarness Harness => _harness!;

    public HttpClient Http { get; private set; } = null!;

    public ConcurrentQueue<string> Violations { get; } = new();

    /// <summary>
    /// Violations that are mistakes of the published files themselves, each with its reason (docs/b2b.md, "Where the
    /// OpenAPI files contradict themselves"); Prism's finding is dropped only when it is exactly this one.
    /// </summary>
    public static readonly (string Operation, string Location, string Code, string Reason)[] KnownSpecErrors =
    [
        ("GET /companies", "response.body.data.createdAt", "format", "company.yaml: 'The Unix timestamp …' typed as format time (a time of day); no Unix timestamp matches it."),
        ("GET /companies", "response.body.data.updatedAt", "format", "company.yaml: the same for updatedAt."),
        ("POST /users", "response.body.data.errMsg", "oneOf", "user.yaml errMsgPost: two of its oneOf branches are plain strings, so a string errMsg (its own 'Email Conflict' example) matches both and never exactly one."),
        ("POST /users", "response.body.data.errMsg", "type", "user.yaml errMsgPost: the object branches of that oneOf, reported for a string errMsg."),
    ];

    /// <summary><c>response.body.data.0.updatedAt</c> → <c>response.body.data.updatedAt</c>; <c>GET /companies/12</c> → <c>GET /companies</c>.</summary>
    private static bool IsKnownSpecError(string operation, JsonNode violation)
    {
        var location = string.Join('.', violation["location"]!.AsArray().Select(p => p!.GetValue<string>()).Where(p => !p.All(char.IsAsciiDigit)));
        var op = string.Join('/', operation.Split('/').Where(p => !p.All(char.IsAsciiDigit) || p.Length == 0));
        return KnownSpecErrors.Any(k => k.Code == violation["code"]?.GetValue<string>() && k.Location == location && k.Operation == op);
    }

    /// <summary>Names a folder holding the B2B Edition files (<c>specs/</c> and <c>models/</c>) when ../shared has none.</summary>
    public const string SpecDirectoryVariable = "B2B_EDITION_OPENAPI_DIR";

    /// <summary>
    /// The skip reason when the files are nowhere: the one skip tests/allowed-skips.txt accepts, also in CI, because the
    /// read-only ../shared this project is given holds only the store API's files (docs/b2b.md, "Checking the emulator").
    /// </summary>
    public const string AbsentReason = "BigCommerce's B2B Edition OpenAPI files are not provided: ../shared has no bigcommerce/b2b-edition and B2B_EDITION_OPENAPI_DIR is unset (docs/b2b.md, Checking the emulator).";

    /// <summary>Where the B2B Edition files are: the variable's folder, else ../shared's, else null (the check skips with <see cref="AbsentReason"/>).</summary>
    public static string? SpecDirectory(string? shared, string? variable)
    {
        foreach (var candidate in new[] { variable, shared is null ? null : Path.Combine(shared, SpecFolder) })
        {
            if (!string.IsNullOrWhiteSpace(candidate) && Directory.Exists(Path.Combine(candidate, "specs")))
            {
                return candidate;
            }
        }

        return null;
    }

    public async ValueTask InitializeAsync()
    {
        var source = SpecDirectory(RepositoryPaths.Shared, Environment.GetEnvironmentVariable(SpecDirectoryVariable));
        if (source is null)
        {
            SkipReason = AbsentReason;
            return;
        }

        var prism = RepositoryPaths.NodeTool("prism");
        if (!File.Exists(prism))
        {
            throw new InvalidOperationException($"Prism is not installed at {prism}. Run ./build.sh test (or 'npm ci' in tests/tools).");
        }

        // A local copy with the absolute raw.githubusercontent.com references pointed at itself.
        _copy = Path.Combine(Path.GetTempPath(), "b2b-openapi-" + Guid.NewGuid().ToString("N"));
        foreach (var file in Directory.EnumerateFiles(source, "*.yaml", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_copy, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await File.WriteAllTextAsync(target, (await File.ReadAllTextAsync(file)).Replace(RawPrefix, _copy + "/", StringComparison.Ordinal));
        }

        _harness = await EmulatorHarness.StartAsync();
        var starts = new List<(int Port, ManagedProcess Process)>();
        foreach (var (prefix, spec) in Routes)
        {
            var port = LoopbackPort.GetFree();
            var upstream = new Uri(_harness.Emulator.BaseAddress, "api/v3/io").ToString();
            // Without --errors: the emulator's answer passes through and Prism names every violation in sl-violations, so a
            // known mistake of the files (KnownSpecErrors) can be told from the rest instead of turning the answer into a 500.
            var process = ManagedProcess.Start(prism,
                ["proxy", Path.Combine(_copy, "specs", "api-v3", spec), upstream, "-p", port.ToString(CultureInfo.InvariantCulture), "-h", "127.0.0.1"]);
            _prisms.Add(process);
            starts.Add((port, process));
            _proxies[prefix] = new Uri($"http://127.0.0.1:{port}/");
        }

        foreach (var (port, process) in starts)
        {
            await LoopbackPort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(90), () => process.RecentOutput);
        }

        Http = new HttpClient(new PrismRouter(this) { InnerHandler = new HttpClientHandler() }) { BaseAddress = new Uri("http://b2b.invalid/") };
        Http.DefaultRequestHeaders.Add("X-Auth-Token", EmulatorHarness.Token);
        Http.DefaultRequestHeaders.Add("X-Store-Hash", EmulatorHarness.StoreHash);
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        foreach (var process in _prisms)
        {
            await process.DisposeAsync();
        }

        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }

        if (_copy is not null && Directory.Exists(_copy))
        {
            Directory.Delete(_copy, recursive: true);
        }
    }

    /// <summary>Sends <c>companies/...</c> to the company.yaml proxy, and so on; collects Prism's violations.</summary>
    private sealed class PrismRouter(B2bEditionPrismFixture fixture) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var relative = request.RequestUri!.PathAndQuery.TrimStart('/');
            var (prefix, _) = Routes.First(r => relative.StartsWith(r.Prefix, StringComparison.Ordinal));
            request.RequestUri = new Uri(fixture._proxies[prefix], relative);
            var response = await base.SendAsync(request, cancellationToken);
            var operation = $"{request.Method} /{relative.Split('?')[0]}";
            if (response.Headers.TryGetValues("sl-violations", out var violations)
                && JsonNode.Parse(string.Join(' ', violations)) is JsonArray found
                && found.Where(v => !IsKnownSpecError(operation, v!)).ToList() is { Count: > 0 } left)
            {
                fixture.Violations.Enqueue($"{operation}: {new JsonArray([.. left.Select(v => v!.DeepClone())]).ToJsonString()}");
            }

            if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
            {
                fixture.Violations.Enqueue($"{operation}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }

            return response;
        }
    }
}

/// <summary>Every B2B Edition route the hub uses, and their documented errors, through Prism.</summary>
public sealed class B2bEditionPrismTests(B2bEditionPrismFixture fixture) : IClassFixture<B2bEditionPrismFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Companies_CreateReadListUpdateStatusAndExtraFieldConfigs_Conform()
    {
        await CheckAsync(async http =>
        {
            var suffix = Guid.NewGuid().ToString("N")[..8];
            var created = await SendAsync(http, HttpMethod.Post, "companies",
                B2bEditionEmulatorTests.CompanyBody("Prism " + suffix, $"prism-{suffix}@example.com", $$"""[{"fieldName":"ERP Account","fieldValue":"PR-{{suffix}}"}]"""), HttpStatusCode.OK);
            var id = created["data"]!["companyId"]!.GetValue<long>();
            await SendAsync(http, HttpMethod.Get, $"companies/{id}", null, HttpStatusCode.OK);
            await SendAsync(http, HttpMethod.Get, "companies?limit=5&offset=0&isIncludeExtraFields=1", null, HttpStatusCode.OK);
            await SendAsync(http, HttpMethod.Put, $"companies/{id}", """{"uuid":"3fa85f64-5717-4562-b3fc-2c963f66afa6","extraFields":[{"fieldName":"Payment Terms","fieldValue":"Net 30"}]}""", HttpStatusCode.OK);
            await SendAsync(http, HttpMethod.Put, $"companies/{id}/status", """{"companyStatus":1}""", HttpStatusCode.OK);
            await SendAsync(http, HttpMethod.Get, "companies/extra-fields", null, HttpStatusCode.OK);
            await SendAsync(http, HttpMethod.Get, "companies/987654", null, HttpStatusCode.NotFound);
            // Valid for the spec, refused by the store: an extra field the merchant did not configure (422, documented).
            await SendAsync(http, HttpMethod.Post, "companies",
                B2bEditionEmulatorTests.CompanyBody("PrismX " + suffix, $"px-{suffix}@example.com", """[{"fieldName":"Shoe Size","fieldValue":"9"}]"""), HttpStatusCode.UnprocessableEntity);
        });
    }

    [Fact]
    public async Task Users_CreateReadByIdAndCustomerListUpdateAndDelete_Conform()
    {
        await CheckAsync(async http =>
        {
            var suffix = Guid.NewGuid().ToString("N")[..8];
            var company = await SendAsync(http, HttpMethod.Post, "companies", B2bEditionEmulatorTests.CompanyBody("PrismU " + suffix, $"pu-{suffix}@example.com"), HttpStatusCode.OK);
            var companyId = company["data"]!["companyId"]!.GetValue<long>();
            var user = await SendAsync(http, HttpMethod.Post, "users",
                $$"""{"companyId":{{companyId}},"email":"pb-{{suffix}}@example.com","firstName":"Pat","lastName":"Buyer","role":1,"channelIds":[1]}""", HttpStatusCode.OK);
            var userId = user["data"]!["userId"]!.GetValue<long>();
            var customerId = user["data"]!["bcId"]!.GetValue<long>();
            await SendAsync(http, HttpMethod.Get, $"users/{userId}", null, HttpStatusCode.OK);
            await SendAsync(http, HttpMethod.Get, $"users/customer/{customerId}", null, HttpStatusCode.OK);
            await SendAsync(http, HttpMethod.Get, $"users?companyId={companyId}&limit=10&offset=0", null, HttpStatusCode.OK);
            await SendAsync(http, HttpMethod.Put, $"users/{userId}", """{"firstName":"Patricia","role":2}""", HttpStatusCode.OK);
            await SendAsync(http, HttpMethod.Post, "users",
                $$"""{"companyId":{{companyId}},"email":"pb-{{suffix}}@example.com","firstName":"Again","lastName":"Buyer","role":1,"channelIds":[1]}""", HttpStatusCode.UnprocessableEntity);
            await SendAsync(http, HttpMethod.Delete, $"users/{userId}", null, HttpStatusCode.OK);
            await SendAsync(http, HttpMethod.Get, $"users/{userId}", null, HttpStatusCode.NotFound);
        });
    }

    [Fact]
    public async Task Addresses_CreateReadUpdateDelete_Conform()
    {
        await CheckAsync(async http =>
        {
            var suffix = Guid.NewGuid().ToString("N")[..8];
            var company = await SendAsync(http, HttpMethod.Post, "companies", B2bEditionEmulatorTests.CompanyBody("PrismA " + suffix, $"pa-{suffix}@example.com"), HttpStatusCode.OK);
            var companyId = company["data"]!["companyId"]!.GetValue<long>();
            var address = await SendAsync(http, HttpMethod.Post, "addresses",
                $$"""{"companyId":{{companyId}},"firstName":"Marie","lastName":"Curie","addressLine1":"512 Bluebonnet Lane","city":"Austin","stateName":"Texas","countryName":"United States","countryCode":"US","isShipping":true}""",
                HttpStatusCode.OK);
            var id = address["data"]!["addressId"]!.GetValue<long>();
            await SendAsync(http, HttpMethod.Get, $"addresses/{id}", null, HttpStatusCode.OK);
            await SendAsync(http, HttpMethod.Put, $"addresses/{id}", """{"city":"Dallas"}""", HttpStatusCode.OK);
            await SendAsync(http, HttpMethod.Delete, $"addresses/{id}", null, HttpStatusCode.OK);
            await SendAsync(http, HttpMethod.Get, $"addresses/{id}", null, HttpStatusCode.NotFound);
        });
    }

    [Fact]
    public async Task Prism_AResponseOutsideTheSpec_IsReportedAsAViolation()
    {
        // The oracle itself: a query parameter the spec types as an integer, sent as text, must be reported.
        Assert.SkipWhen(fixture.SkipReason is not null, fixture.SkipReason ?? string.Empty);
        fixture.Violations.Clear();
        using var response = await fixture.Http.GetAsync("companies?companyStatus=lots", Token);
        Assert.False(fixture.Violations.IsEmpty, "Prism reported nothing for a request outside the spec.");
    }

    private static async Task<JsonObject> SendAsync(HttpClient http, HttpMethod method, string path, string? body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request, Token);
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.StatusCode == expected, $"{method} {path} answered {(int)response.StatusCode}, expected {(int)expected}: {text}");
        return (JsonObject)JsonNode.Parse(text)!;
    }

    private async Task CheckAsync(Func<HttpClient, Task> calls)
    {
        Assert.SkipWhen(fixture.SkipReason is not null, fixture.SkipReason ?? string.Empty);
        fixture.Violations.Clear();
        try
        {
            await calls(fixture.Http);
        }
        catch (Xunit.Sdk.XunitException ex)
        {
            Assert.Fail($"{ex.Message}\nPrism found contract violations:\n{string.Join('\n', fixture.Violations)}");
        }

        Assert.True(fixture.Violations.IsEmpty, "Prism found contract violations:\n" + string.Join('\n', fixture.Violations));
    }
}
