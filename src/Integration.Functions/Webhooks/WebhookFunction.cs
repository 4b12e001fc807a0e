using Integration.BigCommerce.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Integration.Functions.Webhooks;

/// <summary>
/// <c>POST /api/webhooks/bigcommerce</c>. Anonymous at the Functions level: BigCommerce cannot send function
/// keys in a header, so every call is authenticated by the intake itself (shared secret, Standard Webhooks).
/// </summary>
public sealed class WebhookFunction(WebhookEndpoint endpoint)
{
    [Function("BigCommerceWebhook")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = WebhookEndpoint.Route)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The shared endpoint writes the whole response (status, problem document); nothing is left to execute.
        await endpoint.HandleAsync(request.HttpContext);
        return new EmptyResult();
    }
}
