using Integration.Erp.Tryton.Tests.Support;
using System.Text;
using Integration.Core.Erp;
using Integration.Erp.Tryton.JsonRpc;

namespace Integration.Erp.Tryton.Tests;

/// <summary>The JSON-RPC client's handling of answers a healthy Tryton does not give on demand.</summary>
public sealed class ProtocolTests
{
    [Fact]
    public async Task Call_SessionExpired_LogsInAgainOnceWithTheNewSession()
    {
        using var server = new ScriptedRpcServer()
            .ThenLogin("first").Then(401, "<html>expired</html>", "text/html")
            .ThenLogin("second").Then(200, """{"id":3,"result":[]}""");
        using var client = Client(server);

        var result = await client.SearchReadAsync("party.party", [], ["id"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, result.GetArrayLength());
        var requests = server.Requests.ToArray();
        Assert.Equal(4, requests.Length);
        Assert.Contains("common.db.login", requests[2].Body, StringComparison.Ordinal);
        Assert.Equal($"Session {Base64("admin:1:first")}", requests[1].Authorization);
        Assert.Equal($"Session {Base64("admin:1:second")}", requests[3].Authorization);
        Assert.Contains("\"company\":1", requests[3].Body, StringComparison.Ordinal);
    }

    // Under load SQLite answers a login with "database is locked" once trytond's own retries are spent (seen in a run
    // of the Tryton tests at load average 40). A login is idempotent, so the client tries it again, a bounded number
    // of times; a call that reached the server is never retried.
    [Fact]
    public async Task Login_DatabaseBusy_IsTriedAgainAndTheCallSucceeds()
    {
        const string busy = """{"id":1,"error":["database is locked","Traceback ... sqlite3.OperationalError: database is locked"]}""";
        using var server = new ScriptedRpcServer()
            .Then(200, busy).Then(200, busy)
            .ThenLogin("s").Then(200, """{"id":2,"result":[]}""");
        using var client = Client(server);

        var result = await client.SearchReadAsync("party.party", [], ["id"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, result.GetArrayLength());
        Assert.Equal(3, server.Requests.Count(r => r.Body.Contains("common.db.login", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Login_DatabaseBusyEveryTime_IsConflictAfterBoundedAttempts()
    {
        const string busy = """{"id":1,"error":["database is locked","Traceback ... sqlite3.OperationalError: database is locked"]}""";
        using var server = new ScriptedRpcServer();
        for (var i = 0; i < 10; i++)
        {
            server.Then(200, busy);
        }

        using var client = Client(server);

        var error = await Assert.ThrowsAsync<ErpException>(() =>
            client.SearchReadAsync("party.party", [], ["id"], cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(ErpErrorCode.Conflict, error.Code);
        Assert.Equal(TrytonClient.LoginAttempts, server.Requests.Count);
    }

    [Theory]
    [InlineData(503, ErpErrorCode.Unavailable, true)]
    [InlineData(429, ErpErrorCode.Unavailable, true)]
    [InlineData(403, ErpErrorCode.Configuration, false)]
    [InlineData(404, ErpErrorCode.Configuration, false)]
    [InlineData(400, ErpErrorCode.Rejected, false)]
    public async Task Call_HttpStatus_MapsToCodeAndTransience(int status, ErpErrorCode code, bool transient)
    {
        using var server = new ScriptedRpcServer().ThenLogin("s").Then(status, "<html>nope</html>", "text/html");
        using var client = Client(server);

        var error = await Assert.ThrowsAsync<ErpException>(() =>
            client.ExecuteAsync("sale.sale", "quote", [1], TestContext.Current.CancellationToken));

        Assert.Equal(code, error.Code);
        Assert.Equal(transient, error.IsTransient);
        Assert.Equal(status, error.Status);
    }

    [Theory]
    [InlineData("""{"id":2,"error":["UserError",["The code on party must be unique.","",null]]}""", ErpErrorCode.Rejected, "The code on party must be unique.")]
    // Tryton names the refused value and the party: values redacted, Tryton's error class and the field and model kept.
    [InlineData("""{"id":2,"error":["UserError",["The value \"Jane\tDoe\" for field \"Name\" in \"Party\" contains some invalid chars \"'\\t'\".","",null]]}""",
        ErpErrorCode.Rejected, "rejected party.party.create (UserError): The value «redacted» for field \"Name\" in \"Party\" contains some invalid chars")]
    [InlineData("""{"id":2,"error":["UserError",["The phone number \"+1 217 555 0100\" for party \"Jane Doe\" is not valid.","jane@example.com",null]]}""",
        ErpErrorCode.Rejected, "The phone number «redacted» for party «redacted» is not valid. «redacted»")]
    [InlineData("""{"id":2,"error":["invalid literal for int() with base 10: 'Jane'","Traceback (most recent call last):\n  ...\nValueError: invalid literal for int() with base 10: 'Jane'"]}""",
        ErpErrorCode.Rejected, "(ValueError): invalid literal for int() with base 10: «redacted»")]
    [InlineData("""{"id":2,"error":["ConcurrencyException","Records were modified in the meanwhile"]}""", ErpErrorCode.Conflict, "modified meanwhile")]
    [InlineData("""{"id":2,"error":["database is locked","Traceback ... OperationalError"]}""", ErpErrorCode.Conflict, "busy")]
    // PostgreSQL (trytond outside --dev sends [str(error), ""]): what REPEATABLE READ and row locks answer once trytond's
    // own retries (database.retry) are spent is contention, transient; so is the hub's unique sale reference refusing a
    // second creator (the integration_hub module), which the retried upsert resolves by finding the winner.
    [InlineData("""{"id":2,"error":["could not serialize access due to concurrent update\n",""]}""", ErpErrorCode.Conflict, "busy")]
    [InlineData("""{"id":2,"error":["deadlock detected\nDETAIL:  Process 1 waits for ShareLock on transaction 2; blocked by process 3.\n",""]}""", ErpErrorCode.Conflict, "busy")]
    [InlineData("""{"id":2,"error":["could not obtain lock on row in relation \"sale_sale\"\n",""]}""", ErpErrorCode.Conflict, "busy")]
    [InlineData("""{"id":2,"error":["canceling statement due to lock timeout\n",""]}""", ErpErrorCode.Conflict, "busy")]
    [InlineData("""{"id":2,"error":["UserError",["[integration_hub.sale_reference_unique] Another sale of this company already has this integration hub reference.","",null]]}""",
        ErpErrorCode.Conflict, "another creator")]
    [InlineData("""{"id":2,"error":["'NoneType' object has no attribute 'id'","Traceback ..."]}""", ErpErrorCode.Rejected, "NoneType")]
    [InlineData("""<html>proxy error</html>""", ErpErrorCode.MalformedResponse, "not JSON")]
    [InlineData("""[1,2,3]""", ErpErrorCode.MalformedResponse, "expected an object")]
    [InlineData("""{"id":2}""", ErpErrorCode.MalformedResponse, "without a result")]
    [InlineData("""{"id":2,"error":{"code":1}}""", ErpErrorCode.MalformedResponse, "unknown shape")]
    public async Task Call_ErrorOrMalformedAnswer_IsErpExceptionWithMessage(string answer, ErpErrorCode code, string message)
    {
        using var server = new ScriptedRpcServer().ThenLogin("s").Then(200, answer);
        using var client = Client(server);

        var error = await Assert.ThrowsAsync<ErpException>(() =>
            client.ExecuteAsync("party.party", "create", [1], TestContext.Current.CancellationToken));

        Assert.Equal(code, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetCatalog_FieldOfTheWrongType_IsMalformedResponseNamingTheField()
    {
        using var server = new ScriptedRpcServer()
            .ThenLogin("s")
            .Then(200, """{"id":2,"result":{"code":{},"name":{},"list_price":{},"salable":{}}}""")
            .Then(200, """{"id":3,"result":[{"id":1,"currency.":{"id":1,"code":"USD"}}]}""")
            .Then(200, """{"id":4,"result":[{"id":7,"code":"SKU","name":"Widget","list_price":"cheap","salable":true}]}""");
        using var client = Client(server);
        var connector = new TrytonErpConnector(client, new Configuration.TrytonOptions
        {
            Url = server.Url, Database = "db", User = "admin", Password = "x", CompanyId = 1,
            Warehouses = { ["main"] = "WH" }, OrderWarehouse = "main",
        });

        var error = await Assert.ThrowsAsync<ErpException>(async () =>
        {
            await foreach (var _ in connector.GetCatalogAsync(TestContext.Current.CancellationToken))
            {
            }
        });

        Assert.Equal(ErpErrorCode.MalformedResponse, error.Code);
        Assert.Contains("product.product.list_price", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_NothingListening_IsTransientUnavailable()
    {
        var port = Testing.LoopbackPort.GetFree();
        using var client = new TrytonClient(new HttpClient(), new TrytonClientOptions(new Uri($"http://127.0.0.1:{port}/"), "db", "admin", 1),
            _ => ValueTask.FromResult("x"));

        var error = await Assert.ThrowsAsync<ErpException>(() =>
            client.ExecuteAsync("sale.sale", "quote", [1], TestContext.Current.CancellationToken));

        Assert.Equal(ErpErrorCode.Unavailable, error.Code);
        Assert.True(error.IsTransient);
    }

    private static TrytonClient Client(ScriptedRpcServer server) =>
        new(new HttpClient(), new TrytonClientOptions(server.Url, "db", "admin", 1), _ => ValueTask.FromResult("secret-password"));

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
