using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Onward.Cli.Client;
using Onward.Contracts.Tokens;

namespace Onward.Cli.Commands.Login;

/// <summary>
/// <c>onward login</c>: signs the CLI in through the browser, as <c>gh auth login</c> does. It waits on a loopback
/// port, opens the server's <c>/login/cli</c> (the person signs in there, with the company's provider), receives the
/// session the server starts for it, and keeps it for that server (<see cref="StoredSessions"/>). <c>onward logout</c>
/// forgets it.
/// </summary>
public static class LoginCommand
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    public static Command Create()
    {
        var noOpen = new Option<bool>("--no-open") { Description = "Print the address to open instead of opening a browser (on a host without one, open it on yours: it must reach this host's loopback, e.g. through ssh -L)" };
        var login = new Command("login", "Sign the CLI in through the browser (the company's identity provider) and keep the session for this server");
        var device = new Option<bool>("--device") { Description = "Sign in with a code confirmed on any device (the provider's device flow), for a host without a browser" };
        login.Options.Add(noOpen);
        login.Options.Add(device);
        login.SetAction(async (result, cancellationToken) =>
        {
            using var client = GlobalOptions.Client(result, stored: false);
            if (result.GetValue(device))
            {
                return await WithDeviceCodeAsync(client, cancellationToken);
            }
            var port = FreePort();
            var state = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
            using var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Start();
            var address = new Uri(client.Server, $"login/cli?port={port}&state={state}");
            Console.WriteLine($"Sign in at {address}");
            if (!result.GetValue(noOpen))
            {
                TryOpen(address);
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Patience);
            while (true)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync().WaitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    Console.Error.WriteLine($"error: no sign-in came back within {Patience.TotalMinutes:0} minutes; run `onward login` again");
                    return ExitCodes.Failure;
                }
                var query = context.Request.QueryString;
                if (context.Request.Url?.AbsolutePath != "/callback" || query["state"] != state || query["session"] is not { Length: > 0 } secret)
                {
                    await AnswerAsync(context.Response, 400, "This is not the sign-in the CLI waits for; run `onward login` again.");
                    continue;
                }
                await AnswerAsync(context.Response, 200, "The CLI is signed in to Onward. You can close this tab.");
                using var signedIn = new ApiClient(client.Server, secret);
                try
                {
                    var (me, _) = await signedIn.GetAsync<MeResponse>("api/v1/me", cancellationToken);
                    StoredSessions.Save(client.Server, new StoredSessions.Session(secret, me.Name, DateTimeOffset.UtcNow));
                    Console.WriteLine($"signed in to {client.Server} as {me.Name} ({me.Role}{(me.Teams.Count > 0 ? "; " + string.Join("; ", me.Teams) : "")}); the session is kept in {StoredSessions.File}");
                    return ExitCodes.Success;
                }
                catch (ApiException e)
                {
                    Console.Error.WriteLine($"error: the server did not take the new session: {e.Message}");
                    return ExitCodes.Failure;
                }
            }
        });
        return login;
    }

    /// <summary>The device flow, through the server: it asks the provider for a code, the person confirms it anywhere, the CLI polls.</summary>
    private static async Task<int> WithDeviceCodeAsync(ApiClient client, CancellationToken cancellationToken)
    {
        try
        {
            var (started, _) = await client.PostAsync<DeviceSignInResponse>("api/v1/login/device", new { }, cancellationToken);
            Console.WriteLine(started.VerificationUriComplete is { } complete
                ? $"Confirm the code {started.UserCode} at {complete}"
                : $"Open {started.VerificationUri} and enter the code {started.UserCode}");
            var until = DateTimeOffset.UtcNow.AddSeconds(started.ExpiresIn);
            // A second more than the provider asks for, so that polls never come early.
            var interval = TimeSpan.FromSeconds(Math.Clamp(started.Interval, 1, 30) + 1);
            while (DateTimeOffset.UtcNow < until)
            {
                await Task.Delay(interval, cancellationToken);
                var (status, raw) = await client.SendAsync(HttpMethod.Post, $"api/v1/login/device/{Uri.EscapeDataString(started.Handle)}", null, cancellationToken);
                if (status == 202)
                {
                    if (raw.Contains("\"slowDown\": true", StringComparison.Ordinal) || raw.Contains("\"slowDown\":true", StringComparison.Ordinal))
                    {
                        interval += TimeSpan.FromSeconds(5);
                    }
                    continue;
                }
                var session = System.Text.Json.JsonSerializer.Deserialize<DeviceSessionResponse>(raw, ApiClient.Json)!;
                StoredSessions.Save(client.Server, new StoredSessions.Session(session.Session, session.Name, DateTimeOffset.UtcNow));
                Console.WriteLine($"signed in to {client.Server} as {session.Name}; the session is kept in {StoredSessions.File}");
                return ExitCodes.Success;
            }
            Console.Error.WriteLine("error: the code was not confirmed in time; run `onward login --device` again");
            return ExitCodes.Failure;
        }
        catch (ApiException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    public static Command Logout()
    {
        var logout = new Command("logout", "Forget the session `onward login` kept for this server");
        logout.SetAction(result =>
        {
            using var client = GlobalOptions.Client(result, stored: false);
            Console.WriteLine(StoredSessions.Forget(client.Server) ? $"forgot the session for {client.Server}" : $"no session was kept for {client.Server}");
            return ExitCodes.Success;
        });
        return logout;
    }

    private static async Task AnswerAsync(HttpListenerResponse response, int status, string text)
    {
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        var body = System.Text.Encoding.UTF8.GetBytes(text + "\n");
        await response.OutputStream.WriteAsync(body);
        response.Close();
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private static void TryOpen(Uri address)
    {
        try
        {
            using var opened = Process.Start(new ProcessStartInfo("xdg-open", [address.ToString()]) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true });
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Console.WriteLine("(no browser could be opened here: open the address above yourself)");
        }
    }
}
