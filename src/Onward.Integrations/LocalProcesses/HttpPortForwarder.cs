using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Onward.Integrations.LocalProcesses;

/// <summary>
/// A stable port in HTTP mode (a service with a canary): Kestrel takes the requests and YARP's forwarder sends each
/// to the running release or to the canary, by weight, request by request (not connection by connection). Each
/// request's version, status code and duration go to <see cref="ForwarderTraffic"/>. Requests on their way when the
/// route changes finish where they went; <see cref="DrainAsync"/> waits for those to a port no longer routed to.
/// </summary>
public sealed class HttpPortForwarder : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpMessageInvoker _client;
    private readonly ForwarderTraffic _traffic;
    private readonly string _who;
    private readonly Dictionary<int, StrongBox<long>> _inFlight = [];
    private volatile ForwarderRoute _route;
    private long _requests;

    private HttpPortForwarder(WebApplication app, ForwarderRoute route, ForwarderTraffic traffic, string who)
    {
        _app = app;
        _route = route;
        _traffic = traffic;
        _who = who;
        _client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = null,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        });
    }

    public int Port => _route.Stable;

    public ForwarderRoute Route
    {
        get => _route;
        set => _route = value;
    }

    /// <summary>Opens the port; throws when it cannot be (another program has it).</summary>
    public static async Task<HttpPortForwarder> StartAsync(ForwarderRoute route, ForwarderTraffic traffic, string who)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, route.Stable);
            kestrel.AddServerHeader = false;
            // The release decides how large a body may be; the forwarder only passes it on.
            kestrel.Limits.MaxRequestBodySize = null;
        });
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        var forwarder = new HttpPortForwarder(app, route, traffic, who);
        var yarp = app.Services.GetRequiredService<IHttpForwarder>();
        app.Run(context => forwarder.ForwardAsync(context, yarp));
        await app.StartAsync();
        return forwarder;
    }

    /// <summary>Waits until no request is on its way to any port outside <paramref name="keep"/>, at most <paramref name="longest"/>.</summary>
    public async Task DrainAsync(IReadOnlyCollection<int> keep, TimeSpan longest)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(longest.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            lock (_inFlight)
            {
                if (_inFlight.Where(p => !keep.Contains(p.Key)).All(p => p.Value.Value == 0))
                {
                    return;
                }
            }
            await Task.Delay(5);
        }
    }

    private async Task ForwardAsync(HttpContext context, IHttpForwarder yarp)
    {
        var route = _route;
        if (route.Backend == 0)
        {
            await AnswerAsync(context, StatusCodes.Status503ServiceUnavailable, $"nothing is deployed to {_who} yet; Onward relays this port once a release is verified\n");
            return;
        }
        // The canary's share is exact over every run of 100 requests: request n goes to the canary when n × weight / 100 crosses a whole number.
        var n = Interlocked.Increment(ref _requests);
        var canary = route.Canary > 0 && route.Weight > 0 && (route.Weight >= 100 || n * route.Weight / 100 != (n - 1) * route.Weight / 100);
        var (port, version) = canary ? (route.Canary, route.CanaryVersion) : (route.Backend, route.Version);
        var counter = Counting(port);
        Interlocked.Increment(ref counter.Value);
        if (!_route.Backends.Contains(port))
        {
            // The route changed between choosing and counting: a drain may already have found this port idle, so the
            // request goes where the route sends requests now.
            Interlocked.Decrement(ref counter.Value);
            route = _route;
            (port, version) = (route.Backend, route.Version);
            counter = Counting(port);
            Interlocked.Increment(ref counter.Value);
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            var error = await yarp.SendAsync(context, $"http://127.0.0.1:{port}", _client, ForwarderRequestConfig.Empty, HttpTransformer.Empty);
            if (error != ForwarderError.None && !context.Response.HasStarted)
            {
                await AnswerAsync(context, StatusCodes.Status502BadGateway,
                    $"the release behind {_who} (port {port}, {version}) does not answer ({error}); see its deployment in Onward\n");
            }
        }
        finally
        {
            Interlocked.Decrement(ref counter.Value);
            _traffic.Record(route.Service, version, context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private StrongBox<long> Counting(int port)
    {
        lock (_inFlight)
        {
            if (!_inFlight.TryGetValue(port, out var counter))
            {
                _inFlight[port] = counter = new StrongBox<long>();
            }
            return counter;
        }
    }

    private static async Task AnswerAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text));
    }

    public async ValueTask DisposeAsync()
    {
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(grace.Token);
        }
        await _app.DisposeAsync();
        _client.Dispose();
    }
}
