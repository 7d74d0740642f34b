using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Onward.Testing;

/// <summary>
/// An HTTP server on loopback that receives what Onward sends out (notifications, commit statuses) and keeps every
/// request; per path it can answer a queue of statuses first (e.g. 503 twice), then 200.
/// </summary>
public sealed class HookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _answers = new(StringComparer.Ordinal);
    private volatile Func<Received, (int Status, string Json)?>? _responder;
    private readonly ConcurrentDictionary<string, TimeSpan> _delays = new(StringComparer.Ordinal);

    private HookReceiver(WebApplication app, int port) => (_app, Port) = (app, port);

    public sealed record Received(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset At)
    {
        public string Text => System.Text.Encoding.UTF8.GetString(Body);

        public System.Text.Json.Nodes.JsonNode Json => System.Text.Json.Nodes.JsonNode.Parse(Body)!;
    }

    public int Port { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public IReadOnlyList<Received> At(string path) => _received.Where(r => r.Path == path).ToList();

    /// <summary>The next requests to <paramref name="path"/> are answered with these statuses, in order; later ones with 200.</summary>
    public void Answer(string path, params int[] statuses)
    {
        var queue = _answers.GetOrAdd(path, _ => new ConcurrentQueue<int>());
        foreach (var status in statuses)
        {
            queue.Enqueue(status);
        }
    }

    /// <summary>
    /// Requests the function answers (non-null) get its status and JSON body, after any statuses queued for their path
    /// (an API that keeps state, e.g. a git host's deployments); the others are answered as before. Called one request
    /// at a time.
    /// </summary>
    public void Respond(Func<Received, (int Status, string Json)?> responder) => _responder = responder;

    /// <summary>Requests to <paramref name="path"/> are answered only after <paramref name="delay"/> (a slow receiver).</summary>
    public void Delay(string path, TimeSpan delay) => _delays[path] = delay;

    public static async Task<HookReceiver> StartAsync()
    {
        var port = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new HookReceiver(app, port);
        app.Run(async http =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var received = new Received(http.Request.Method, http.Request.Path + http.Request.QueryString, headers, body.ToArray(), DateTimeOffset.UtcNow);
            receiver._received.Enqueue(received);
            if (receiver._delays.TryGetValue(http.Request.Path, out var delay))
            {
                try
                {
                    await Task.Delay(delay, http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return; // the sender gave up
                }
            }
            var queued = receiver._answers.TryGetValue(http.Request.Path, out var queue) && queue.TryDequeue(out var next) ? next : (int?)null;
            (int Status, string Json)? answer = null;
            if (queued is null && receiver._responder is { } responder)
            {
                lock (receiver._answers)
                {
                    answer = responder(received);
                }
            }
            if (answer is { } json)
            {
                http.Response.StatusCode = json.Status;
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(json.Json);
                return;
            }
            var status = queued ?? 200;
            http.Response.StatusCode = status;
            await http.Response.WriteAsync(status == 200 ? "ok" : $"answering {status} as the test asked");
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
