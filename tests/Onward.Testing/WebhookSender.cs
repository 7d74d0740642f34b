using System.Security.Cryptography;
using System.Text;

namespace Onward.Testing;

/// <summary>Sends webhooks the way each provider does: its headers, its signature over the exact body bytes.</summary>
public sealed class WebhookSender(HttpClient http, string secret)
{
    public static string Hmac(string secret, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    /// <param name="signature">null: sign correctly; "": send no signature; anything else: send that.</param>
    /// <param name="form">Send the JSON as the <c>payload</c> field of a form, as a webhook set to <c>application/x-www-form-urlencoded</c> does.</param>
    public Task<HttpResponseMessage> GitHubAsync(string @event, string body, string? delivery = null, string? signature = null, bool form = false)
    {
        if (form)
        {
            body = "payload=" + Uri.EscapeDataString(body);
        }
        return SendAsync("github", body, new()
        {
            ["X-GitHub-Event"] = @event,
            ["X-GitHub-Delivery"] = delivery ?? Guid.NewGuid().ToString(),
            ["X-GitHub-Hook-ID"] = "12345",
            ["User-Agent"] = "GitHub-Hookshot/abc1234",
            ["X-Hub-Signature-256"] = signature ?? "sha256=" + Hmac(secret, body),
        }, form ? "application/x-www-form-urlencoded" : "application/json");
    }

    public Task<HttpResponseMessage> GitLabAsync(string @event, string body, string? delivery = null, string? token = null) =>
        SendAsync("gitlab", body, new()
        {
            ["X-Gitlab-Event"] = @event,
            ["X-Gitlab-Event-UUID"] = delivery ?? Guid.NewGuid().ToString(),
            ["X-Gitlab-Instance"] = "https://gitlab.example.invalid",
            ["User-Agent"] = "GitLab/18.5.0",
            ["X-Gitlab-Token"] = token ?? secret,
        });

    /// <summary>Gitea sends GitHub's event header too; the route, not the headers, names the provider.</summary>
    public Task<HttpResponseMessage> GiteaAsync(string @event, string body, string? delivery = null, string? signature = null)
    {
        var id = delivery ?? Guid.NewGuid().ToString();
        return SendAsync("gitea", body, new()
        {
            ["X-Gitea-Event"] = @event,
            ["X-Gitea-Event-Type"] = @event,
            ["X-Gitea-Delivery"] = id,
            ["X-GitHub-Event"] = @event,
            ["X-GitHub-Delivery"] = id,
            ["X-Gogs-Event"] = @event,
            ["X-Gitea-Signature"] = signature ?? Hmac(secret, body),
        });
    }

    public Task<HttpResponseMessage> BitbucketAsync(string @event, string body, string? delivery = null, string? signature = null) =>
        SendAsync("bitbucket", body, new()
        {
            ["X-Event-Key"] = @event,
            ["X-Request-UUID"] = delivery ?? Guid.NewGuid().ToString(),
            ["X-Hook-UUID"] = "{" + Guid.NewGuid() + "}",
            ["User-Agent"] = "Bitbucket-Webhooks/2.0",
            ["X-Hub-Signature"] = signature ?? "sha256=" + Hmac(secret, body),
        });

    private async Task<HttpResponseMessage> SendAsync(string provider, string body, Dictionary<string, string> headers, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "hooks/" + provider)
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        foreach (var (name, value) in headers.Where(h => h.Value.Length > 0))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return await http.SendAsync(request);
    }
}
