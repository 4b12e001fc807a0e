using System.Net.Http.Headers;

namespace Integration.StoreDay;

/// <summary>
/// An outage of the CRM as a whole inside the day: HubSpot's daily quota spent (every call answered 429 with policy
/// <c>DAILY</c>, as a real portal does until its midnight), switched on and off through the HubSpot emulator's control
/// plane (<c>POST /_emulator/daily-quota?spent=true|false</c>, with the portal's bearer token).
/// </summary>
public sealed class CrmOutage(Uri baseAddress, string accessToken)
{
    public Task StartAsync(CancellationToken cancellationToken) => SetAsync(true, cancellationToken);

    public Task EndAsync(CancellationToken cancellationToken) => SetAsync(false, cancellationToken);

    private async Task SetAsync(bool spent, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"_emulator/daily-quota?spent={(spent ? "true" : "false")}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new StoreDayException($"The HubSpot emulator's control plane answered {(int)response.StatusCode} to daily-quota?spent={spent}: the day's CRM outage needs the emulator.",
                (int)response.StatusCode);
        }
    }
}
