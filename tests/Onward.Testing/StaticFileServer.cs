using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Onward.Testing;

/// <summary>
/// A directory served over HTTP on a loopback port, optionally behind basic credentials, counting the requests per
/// path: what a Helm chart repository is (an index.yaml and archives), for tests that fetch from one.
/// </summary>
public sealed class StaticFileServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _root;
    private readonly (string User, string Password)? _credentials;
    private readonly Task _serving;

    private StaticFileServer(string root, int port, (string User, string Password)? credentials)
    {
        (_root, _credentials, Port) = (root, credentials, port);
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/";

    /// <summary>Requests answered 200, per path (e.g. <c>/web-1.0.0.tgz</c>).</summary>
    public ConcurrentDictionary<string, int> Served { get; } = new(StringComparer.Ordinal);

    public static StaticFileServer Start(string root, (string User, string Password)? credentials = null) => new(root, Ports.Free(), credentials);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var response = context.Response;
            var expected = _credentials is { } c ? "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{c.User}:{c.Password}")) : null;
            if (expected is not null && context.Request.Headers["Authorization"] != expected)
            {
                response.StatusCode = 401;
                response.AddHeader("WWW-Authenticate", "Basic realm=\"charts\"");
                continue;
            }
            var path = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath);
            var file = Path.GetFullPath(Path.Combine(_root, path.TrimStart('/')));
            if (!file.StartsWith(Path.GetFullPath(_root), StringComparison.Ordinal) || !File.Exists(file))
            {
                response.StatusCode = 404;
                continue;
            }
            var bytes = await File.ReadAllBytesAsync(file);
            response.ContentLength64 = bytes.Length;
            await response.OutputStream.WriteAsync(bytes);
            Served.AddOrUpdate(path, 1, (_, n) => n + 1);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
