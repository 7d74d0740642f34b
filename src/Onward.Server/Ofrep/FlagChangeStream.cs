using System.Threading.Channels;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Flags;

namespace Onward.Server.Ofrep;

/// <summary>
/// OFREP's change notification (OFREP ADR-0008, https://github.com/open-feature/protocol/blob/main/service/adrs/0008-sse-for-bulk-evaluation-changes.md;
/// docs/adr/0004): a server-sent event stream per environment that sends <c>{"type":"refetchEvaluation"}</c> whenever
/// the environment's flags change, on whichever replica, so that a client-side provider re-fetches at once instead of
/// polling. Its URL comes in every bulk answer's <c>eventStreams</c>, with a ticket (<see cref="FlagStreamTickets"/>)
/// when tokens are on, since browsers open it without headers.
/// </summary>
public static class FlagChangeStream
{
    /// <summary>How often an idle change stream says it is alive (an SSE comment), so that proxies keep it open.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>The change stream's URL, at <c>server.publicUrl</c> when set (behind a proxy), else where the client reached this server.</summary>
    public static string Url(HttpContext http, OnwardConfig config, string environment, string? ticket)
    {
        var origin = config.Server.PublicUrl is { } publicUrl ? publicUrl.ToString().TrimEnd('/') : $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
        return $"{origin}/flags/{Uri.EscapeDataString(environment)}/ofrep/v1/events" + (ticket is null ? "" : "?ticket=" + Uri.EscapeDataString(ticket));
    }

    public static async Task StreamAsync(string environment, string? ticket, HttpContext http, OnwardConfig config, FlagStreamTickets tickets, FlagCatalog catalog,
        ChangeStreams streams, IHostApplicationLifetime lifetime, TimeProvider time)
    {
        OfrepCors.Allow(http, config);
        var unknown = config.FindEnvironment(environment) is null;
        if (unknown || (config.Auth.Mode != AuthMode.None && !await tickets.ValidAsync(ticket, environment, http.RequestAborted)))
        {
            await OfrepJson.WriteAsync(http, unknown ? 404 : 401, OfrepJson.Details(unknown
                    ? $"unknown environment '{environment}'"
                    : "the stream's ticket is missing, expired or no longer valid (its token was revoked?); evaluate the flags in bulk again for a new stream URL"));
            return;
        }
        if (!streams.TryOpen())
        {
            http.Response.Headers.RetryAfter = "60";
            await OfrepJson.WriteAsync(http, 503, OfrepJson.Details($"this server has {ChangeStreams.Most} change streams open; poll meanwhile, or try again in a minute"));
            return;
        }
        var changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        void OnChanged(string name)
        {
            if (name == environment)
            {
                changes.Writer.TryWrite(true);
            }
        }
        catalog.Changed += OnChanged;
        // Ends with the client, or when the server stops (the client reconnects, to another replica perhaps).
        using var open = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            http.Response.StatusCode = 200;
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            await http.Response.WriteAsync($": the flags of {environment}\n\n", open.Token);
            await http.Response.Body.FlushAsync(open.Token);
            while (!open.Token.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(open.Token);
                wait.CancelAfter(KeepAlive);
                string message;
                try
                {
                    await changes.Reader.ReadAsync(wait.Token);
                    message = $"data: {{\"type\":\"refetchEvaluation\",\"lastModified\":{time.GetUtcNow().ToUnixTimeSeconds()}}}\n\n";
                }
                catch (OperationCanceledException) when (!open.Token.IsCancellationRequested)
                {
                    message = ": alive\n\n";
                }
                // A stream lasts only as long as its ticket's token: one revoked meanwhile ends it at the next message.
                if (config.Auth.Mode != AuthMode.None && !await tickets.ValidAsync(ticket, environment, open.Token))
                {
                    await http.Response.WriteAsync("event: ended\ndata: {\"reason\":\"the stream's token is no longer valid\"}\n\n", open.Token);
                    await http.Response.Body.FlushAsync(open.Token);
                    return;
                }
                await http.Response.WriteAsync(message, open.Token);
                await http.Response.Body.FlushAsync(open.Token);
            }
        }
        catch (OperationCanceledException) when (open.Token.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            catalog.Changed -= OnChanged;
            streams.Close();
        }
    }
}
