using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Onward.Testing;

/// <summary>
/// A real OpenID provider (npm's oidc-provider, run by tests/node/oidc-provider.mjs) on a loopback port, with the client
/// <c>onward</c> for the web sign-in, the public client <c>onward-cli</c> for access tokens, and accounts whose groups
/// the script lists: alice and bob (release-managers), dave (developers), sam (shop-team), pat (platform), nora
/// (marketing), nogroups (no groups claim at all). Its sign-in page takes any password.
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    public const string ClientId = "onward";
    public const string ClientSecret = "onward-test-secret";
    private readonly Process _process;

    private OidcProvider(Process process, string issuer) => (_process, Issuer) = (process, issuer);

    /// <summary>The issuer, as the provider names itself in its discovery document and tokens.</summary>
    public string Issuer { get; }

    /// <param name="callbacks">The redirect URIs the client <c>onward</c> may use, e.g. <c>http://127.0.0.1:PORT/signin-oidc</c>.</param>
    /// <param name="host">How the provider names itself: <c>127.0.0.1</c>, or <c>localhost</c> for an issuer that is not the address Onward was given.</param>
    public static async Task<OidcProvider> StartAsync(IEnumerable<string> callbacks, string host = "127.0.0.1")
    {
        var port = Ports.Free();
        var issuer = $"http://{host}:{port}";
        var info = new ProcessStartInfo("node") { WorkingDirectory = Paths.NodeClients, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "oidc-provider.mjs", port.ToString(System.Globalization.CultureInfo.InvariantCulture), issuer }.Concat(callbacks))
        {
            info.ArgumentList.Add(argument);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("node could not be started; run scripts/setup.sh");
        var listening = new TaskCompletionSource();
        var said = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == "listening")
            {
                listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (said)
            {
                said.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(30))) != listening.Task)
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
            throw new InvalidOperationException($"the OpenID provider did not start: {said}");
        }
        return new OidcProvider(process, issuer);
    }

    /// <summary>Makes the next ID token the token endpoint hands out look forged or broken (see the script for the modes).</summary>
    public async Task TamperAsync(string mode)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync($"http://127.0.0.1:{new Uri(Issuer).Port}/test/tamper", new { mode });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Starts the device flow for <c>onward-cli</c>: the code a person confirms, the page that confirms it, and the device code to poll with.</summary>
    public async Task<(string UserCode, string VerificationUri, string DeviceCode)> StartDeviceFlowAsync()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{Local}/device/auth", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = "onward-cli",
            ["scope"] = "openid profile email groups",
        }));
        response.EnsureSuccessStatusCode();
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = answer.RootElement;
        return (root.GetProperty("user_code").GetString()!, root.GetProperty("verification_uri_complete").GetString()!, root.GetProperty("device_code").GetString()!);
    }

    /// <summary>The access token (a JWT for the audience <c>onward</c>) once the person confirmed the device code, or the provider's error.</summary>
    public async Task<(string? AccessToken, string? Error)> DeviceTokenAsync(string deviceCode)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{Local}/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = "onward-cli",
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:device_code",
            ["device_code"] = deviceCode,
        }));
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return answer.RootElement.TryGetProperty("access_token", out var token)
            ? (token.GetString(), null)
            : (null, answer.RootElement.TryGetProperty("error", out var error) ? error.GetString() : "no access token");
    }

    private string Local => $"http://127.0.0.1:{new Uri(Issuer).Port}";

    private bool _disposed;

    /// <summary>Stops the provider (a test may do so early, to see Onward without it).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
