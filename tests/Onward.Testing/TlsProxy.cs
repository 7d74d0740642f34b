using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Onward.Testing;

/// <summary>
/// A TLS-terminating reverse proxy on a loopback port, as a company puts in front of Onward: it serves HTTPS with a
/// certificate of its own and passes every request on over plain HTTP with <c>X-Forwarded-For</c>, <c>-Proto</c> and
/// <c>-Host</c>, answers (redirects, cookies) passed back as they are.
/// </summary>
public sealed class TlsProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http;

    private TlsProxy(WebApplication app, HttpClient http, int port) => (_app, _http, Port) = (app, http, port);

    public int Port { get; }

    public Uri Url => new($"https://127.0.0.1:{Port}/");

    public static async Task<TlsProxy> StartAsync(Uri backend)
    {
        var port = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        var certificate = LoopbackCertificate.Create("proxy");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, endpoint => endpoint.UseHttps(certificate)));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(60) };
        app.Run(async context => await ForwardAsync(context, backend, http));
        await app.StartAsync();
        return new TlsProxy(app, http, port);
    }

    private static async Task ForwardAsync(HttpContext context, Uri backend, HttpClient http)
    {
        var incoming = context.Request;
        using var request = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri(backend, incoming.Path.Value + incoming.QueryString.Value));
        if (incoming.ContentLength > 0 || incoming.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(incoming.Body);
        }
        foreach (var (name, values) in incoming.Headers)
        {
            if (name is "Host" or "Connection" or "Transfer-Encoding")
            {
                continue;
            }
            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", context.Connection.RemoteIpAddress?.ToString());
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", incoming.Host.Value);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (name is not ("Transfer-Encoding" or "Connection"))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
    }
}
