using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Onward.Contracts.Tokens;
using Onward.Core.Access;
using Onward.Core.Configuration;

namespace Onward.Server.Auth;

/// <summary>
/// <c>onward login --device</c>, for a host without a browser: Onward asks the provider for a device code with its own
/// client (the CLI never holds the client's secret), the person confirms the code on any device, and Onward, polled by
/// the CLI, takes the provider's tokens (the ID token checked as at a web sign-in: issuer, audience, expiry, signature,
/// RS256/ES256), resolves the person's roles and hands the CLI a session of its own. Pending sign-ins are kept in
/// memory, a few hundred at most, each until the provider's code expires.
/// </summary>
public sealed class DeviceSignIn(OnwardConfig config, IOptionsMonitor<OpenIdConnectOptions> options, ITokenStore tokens, ISessionStore sessions, TimeProvider time,
    ILogger<DeviceSignIn> logger) : IDisposable
{
    private const int MostPending = 200;
    private static readonly TimeSpan MinimumPoll = TimeSpan.FromSeconds(3);
    private readonly ConcurrentDictionary<string, (string DeviceCode, DateTimeOffset Until, DateTimeOffset Polled)> _pending = new(StringComparer.Ordinal);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public void Dispose() => _http.Dispose();

    /// <summary><c>POST /api/v1/login/device</c>: a code for the person to confirm, and the handle the CLI polls with.</summary>
    public async Task<Results<Ok<DeviceSignInResponse>, ProblemHttpResult>> StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await StartWithProviderAsync(cancellationToken);
        }
        catch (Exception e) when (Unreachable(e, cancellationToken))
        {
            return ProviderDown(e);
        }
    }

    /// <summary><c>POST /api/v1/login/device/{handle}</c>: 202 while the person has not confirmed, else the CLI's session or why not.</summary>
    public async Task<Results<Ok<DeviceSessionResponse>, Accepted<object>, ProblemHttpResult>> PollAsync(string handle, HttpContext http, CancellationToken cancellationToken)
    {
        try
        {
            return await PollProviderAsync(handle, http, cancellationToken);
        }
        catch (Exception e) when (Unreachable(e, cancellationToken))
        {
            return ProviderDown(e);
        }
    }

    private static bool Unreachable(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException or JsonException or InvalidOperationException or IOException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested);

    private ProblemHttpResult ProviderDown(Exception e)
    {
        var reason = $"{config.Auth.Oidc?.Name} cannot be reached or answered what is not JSON: {e.Message.Split('\n')[0]}";
        logger.LogWarning("Device sign-in: {Reason}", reason);
        return TypedResults.Problem(statusCode: 502, title: "Bad Gateway", detail: reason);
    }

    private async Task<Results<Ok<DeviceSignInResponse>, ProblemHttpResult>> StartWithProviderAsync(CancellationToken cancellationToken)
    {
        if (config.Auth.Oidc is not { } oidc)
        {
            return TypedResults.Problem(statusCode: 404, title: "Not Found", detail: "this server signs nobody in with a provider (auth.oidc is not set); use a token");
        }
        var now = time.GetUtcNow();
        foreach (var (handle, pending) in _pending.Where(p => p.Value.Until <= now).ToList())
        {
            _pending.TryRemove(handle, out _);
        }
        if (_pending.Count >= MostPending)
        {
            return TypedResults.Problem(statusCode: 429, title: "Too Many Requests", detail: "too many device sign-ins are waiting; try again in a few minutes");
        }
        var metadata = await options.Get(OidcSignIn.Scheme).ConfigurationManager!.GetConfigurationAsync(cancellationToken);
        if (metadata.DeviceAuthorizationEndpoint is not { Length: > 0 } address)
        {
            return TypedResults.Problem(statusCode: 409, title: "Conflict", detail: $"{oidc.Name} offers no device flow; run `onward login` where a browser can reach this host's loopback");
        }
        using var answer = await PostAsync(oidc, address, new() { ["scope"] = string.Join(' ', oidc.Scopes) }, cancellationToken);
        var root = answer.RootElement;
        if (!root.TryGetProperty("device_code", out var deviceCode) || !root.TryGetProperty("user_code", out var userCode) || !root.TryGetProperty("verification_uri", out var uri))
        {
            return TypedResults.Problem(statusCode: 502, title: "Bad Gateway", detail: $"{oidc.Name} did not start a device sign-in: {Error(root)}");
        }
        var expires = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) ? seconds : 600;
        var interval = root.TryGetProperty("interval", out var i) && i.TryGetInt32(out var every) ? every : 5;
        var key = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        _pending[key] = (deviceCode.GetString()!, now.AddSeconds(expires), DateTimeOffset.MinValue);
        return TypedResults.Ok(new DeviceSignInResponse(key, userCode.GetString()!, uri.GetString()!,
            root.TryGetProperty("verification_uri_complete", out var complete) ? complete.GetString() : null, expires, interval));
    }

    private async Task<Results<Ok<DeviceSessionResponse>, Accepted<object>, ProblemHttpResult>> PollProviderAsync(string handle, HttpContext http, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (config.Auth.Oidc is not { } oidc || !_pending.TryGetValue(handle, out var pending) || pending.Until <= now)
        {
            return TypedResults.Problem(statusCode: 404, title: "Not Found", detail: "no such device sign-in waits (it expired or ended); run `onward login --device` again");
        }
        if (now - pending.Polled < MinimumPoll)
        {
            // The provider is asked at most every few seconds per sign-in, however often the caller polls.
            return TypedResults.Accepted((string?)null, (object)new { slowDown = true });
        }
        _pending[handle] = pending with { Polled = now };
        var metadata = await options.Get(OidcSignIn.Scheme).ConfigurationManager!.GetConfigurationAsync(cancellationToken);
        using var answer = await PostAsync(oidc, metadata.TokenEndpoint, new()
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:device_code",
            ["device_code"] = pending.DeviceCode,
        }, cancellationToken);
        var root = answer.RootElement;
        var error = root.TryGetProperty("error", out var e) ? e.GetString() : null;
        if (error is "authorization_pending" or "slow_down")
        {
            // Not confirmed yet; a provider that says slow_down wants 5 s more between polls (RFC 8628, 3.5).
            return TypedResults.Accepted((string?)null, (object)new { slowDown = error == "slow_down" });
        }
        _pending.TryRemove(handle, out _);
        if (error is not null || !root.TryGetProperty("id_token", out var idToken))
        {
            return TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: $"{oidc.Name} did not sign the person in: {Error(root)}");
        }
        var result = await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(idToken.GetString(), OidcSignIn.TokenChecks(oidc, metadata, oidc.ClientId));
        if (!result.IsValid)
        {
            return Refused(oidc, OidcSignIn.Describe(result.Exception, oidc));
        }
        var identity = result.ClaimsIdentity;
        if (root.TryGetProperty("access_token", out var accessToken) && metadata.UserInfoEndpoint is { Length: > 0 } userinfo)
        {
            // What the ID token leaves out (groups, with some providers) the userinfo answer says.
            using var request = new HttpRequestMessage(HttpMethod.Get, userinfo);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken.GetString());
            using var response = await _http.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                using var claims = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                foreach (var claim in claims.RootElement.EnumerateObject().Where(c => !identity.HasClaim(x => x.Type == c.Name)))
                {
                    var values = claim.Value.ValueKind == JsonValueKind.Array ? claim.Value.EnumerateArray().ToList() : [claim.Value];
                    identity.AddClaims(values.Select(v => new Claim(claim.Name, v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText())));
                }
            }
        }
        var (person, refusal) = OidcSignIn.Person(oidc, new ClaimsPrincipal(identity), "the provider's answer");
        if (person is null)
        {
            return Refused(oidc, refusal!);
        }
        now = time.GetUtcNow();
        var (signedIn, refused) = await tokens.SignInPersonAsync(person, now, cancellationToken);
        if (signedIn is null)
        {
            return Refused(oidc, refused!);
        }
        var secret = CliSignIn.SecretPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await sessions.StartAsync(signedIn.Id, signedIn.Name, TokenSecrets.Hash(secret), now, now + oidc.SessionLifetime, http.Connection.RemoteIpAddress?.ToString(),
            "onward CLI (device code)", cancellationToken);
        logger.LogInformation("{Name} ({Subject}) signed the CLI in with a device code from {Provider}", signedIn.Name, signedIn.Subject, oidc.Name);
        return TypedResults.Ok(new DeviceSessionResponse(secret, signedIn.Name));
    }

    private ProblemHttpResult Refused(OidcOptions oidc, string reason)
    {
        logger.LogWarning("Device sign-in with {Provider} refused: {Reason}", oidc.Name, reason);
        return TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: reason);
    }

    /// <summary>A form POST to the provider with Onward's client credentials (basic authentication).</summary>
    private async Task<JsonDocument> PostAsync(OidcOptions oidc, string address, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, address) { Content = new FormUrlEncodedContent(form) };
        var credentials = $"{Uri.EscapeDataString(oidc.ClientId)}:{Uri.EscapeDataString(oidc.ClientSecret)}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return JsonDocument.Parse($"{{\"error\":\"the provider answered {(int)response.StatusCode}, not JSON\"}}");
        }
    }

    private static string Error(JsonElement root) =>
        root.TryGetProperty("error_description", out var d) ? d.GetString() ?? "" : root.TryGetProperty("error", out var e) ? e.GetString() ?? "" : "no reason given";
}
