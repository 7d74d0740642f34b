using System.Net;
using Onward.Core.Notifications;
using Onward.Core.Messages;

namespace Onward.Integrations.Notifications;

/// <summary>
/// Sends one request of the outbox and tells how it went: delivered (2xx), worth trying again (no answer, 408, 425,
/// 429, 5xx), or refused for good (any other answer). Never throws for the receiver's sake; names the host, never the
/// URL or the credentials.
/// </summary>
public static class Delivery
{
    private const int ShownBody = 200;

    private const int LongestAnswer = 256 * 1024;

    public static async Task<SendOutcome> PostAsync(HttpClient http, HttpRequestMessage request, string host, CancellationToken cancellationToken) =>
        (await SendAsync(http, request, host, cancellationToken)).Outcome;

    /// <summary>As <see cref="PostAsync"/>, with the answer's body when it was a 2xx (cut at 256 KiB).</summary>
    public static async Task<(SendOutcome Outcome, string? Answer)> SendAsync(HttpClient http, HttpRequestMessage request, string host, CancellationToken cancellationToken)
    {
        // The client's timeout covers the headers only when the body is read apart: one deadline for both.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(http.Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var status = (int)response.StatusCode;
            var text = await ReadAsync(response, deadline.Token);
            if (response.IsSuccessStatusCode)
            {
                return (SendOutcome.Sent(status), text);
            }
            // The receiver's answer is kept apart from the reason: only admins see it (DeliveryErrors).
            var said = $"{host} answered {status} {response.ReasonPhrase}";
            var answered = text.Length > 0 ? DeliveryErrors.Answered + TextCut.After(text, ShownBody) : "";
            return (response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || status >= 500 || status == 425
                ? SendOutcome.Again(status, said + answered)
                : SendOutcome.Refused(status, said + answered + DeliveryErrors.NotRetried), null);
        }
        catch (HttpRequestException e)
        {
            return (SendOutcome.Again(null, $"could not reach {host}: {e.HttpRequestError}"), null);
        }
        catch (IOException)
        {
            return (SendOutcome.Again(null, $"{host} broke off its answer"), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (SendOutcome.Again(null, $"{host} did not answer within {http.Timeout.TotalSeconds:0} s"), null);
        }
    }

    private static async Task<string> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var kept = new MemoryStream();
        var buffer = new byte[8192];
        int n;
        while (kept.Length < LongestAnswer && (n = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, LongestAnswer - kept.Length)), cancellationToken)) > 0)
        {
            kept.Write(buffer, 0, n);
        }
        return System.Text.Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length);
    }
}
