using System.Net;
using Onward.Core.Notifications;

namespace Onward.Integrations.Notifications;

/// <summary>
/// Sends one request of the outbox and tells how it went: delivered (2xx), worth trying again (no answer, 408, 425,
/// 429, 5xx), or refused for good (any other answer). Never throws for the receiver's sake; names the host, never the
/// URL or the credentials.
/// </summary>
public static class Delivery
{
    private const int ShownBody = 200;

    public static async Task<SendOutcome> PostAsync(HttpClient http, HttpRequestMessage request, string host, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return SendOutcome.Sent(status);
            }
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var said = $"{host} answered {status} {response.ReasonPhrase}" + (text.Length > 0 ? ": " + (text.Length > ShownBody ? text[..ShownBody] + "…" : text) : "");
            return response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || status >= 500 || status == 425
                ? SendOutcome.Again(status, said)
                : SendOutcome.Refused(status, said + " (not tried again: fix the configuration)");
        }
        catch (HttpRequestException e)
        {
            return SendOutcome.Again(null, $"could not reach {host}: {e.HttpRequestError}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return SendOutcome.Again(null, $"{host} did not answer within {http.Timeout.TotalSeconds:0} s");
        }
    }
}
