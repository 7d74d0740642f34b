using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Onward.Testing;

/// <summary>
/// Git's smart HTTP protocol on loopback, served by git's own <c>git http-backend</c> (as CGI) behind Basic
/// authentication, like a hosted git server with a private repository. While it answers a request it also looks at
/// the command line of every process on the machine for the password, so that tests can show none held it.
/// </summary>
public sealed class GitHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _user;
    private readonly string _password;
    private int _authorized;
    private int _refused;

    private GitHttpServer(WebApplication app, Uri url, string user, string password)
    {
        _app = app;
        Url = url;
        _user = user;
        _password = password;
    }

    public Uri Url { get; }

    /// <summary>Requests that carried the right credentials.</summary>
    public int Authorized => _authorized;

    /// <summary>Requests refused with 401.</summary>
    public int Refused => _refused;

    /// <summary>Command lines seen holding the password while a request was served.</summary>
    public List<string> CommandLinesWithPassword { get; } = [];

    /// <param name="root">The folder whose repositories are served, as <c>/NAME.git</c> or <c>/NAME</c>.</param>
    public static async Task<GitHttpServer> StartAsync(string root, string user, string password)
    {
        var port = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new GitHttpServer(app, new Uri($"http://127.0.0.1:{port}/"), user, password);
        app.Run(context => server.ServeAsync(context, root));
        await app.StartAsync();
        return server;
    }

    private async Task ServeAsync(HttpContext context, string root)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_user}:{_password}"));
        LookForPasswordOnCommandLines();
        if (context.Request.Headers.Authorization.ToString() != expected)
        {
            Interlocked.Increment(ref _refused);
            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"git\"";
            return;
        }
        Interlocked.Increment(ref _authorized);
        var info = new ProcessStartInfo("git", "http-backend")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["GIT_PROJECT_ROOT"] = root;
        info.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        info.Environment["PATH_INFO"] = context.Request.Path.Value ?? "/";
        info.Environment["QUERY_STRING"] = context.Request.QueryString.Value?.TrimStart('?') ?? "";
        info.Environment["REQUEST_METHOD"] = context.Request.Method;
        info.Environment["CONTENT_TYPE"] = context.Request.ContentType ?? "";
        info.Environment["REMOTE_USER"] = _user;
        info.Environment["REMOTE_ADDR"] = "127.0.0.1";
        if (context.Request.Headers.ContentEncoding.ToString() is { Length: > 0 } encoding)
        {
            info.Environment["HTTP_CONTENT_ENCODING"] = encoding;
        }
        if (context.Request.Headers["Git-Protocol"].ToString() is { Length: > 0 } protocol)
        {
            info.Environment["GIT_PROTOCOL"] = protocol;
        }
        using var process = Process.Start(info)!;
        var input = context.Request.Body.CopyToAsync(process.StandardInput.BaseStream).ContinueWith(_ => process.StandardInput.Close(), TaskScheduler.Default);
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.BaseStream;
        // CGI: header lines, a blank line, then the body.
        var head = new StringBuilder();
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && !head.ToString().EndsWith("\n\n", StringComparison.Ordinal))
        {
            var b = output.ReadByte();
            if (b < 0)
            {
                break;
            }
            head.Append((char)b);
        }
        foreach (var line in head.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }
            var (name, value) = (line[..colon].Trim(), line[(colon + 1)..].Trim());
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = int.Parse(value.Split(' ')[0]);
            }
            else
            {
                context.Response.Headers[name] = value;
            }
        }
        await output.CopyToAsync(context.Response.Body);
        await input;
        await process.WaitForExitAsync();
        await error;
    }

    private void LookForPasswordOnCommandLines()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var line = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                if (line.Contains(_password, StringComparison.Ordinal))
                {
                    lock (CommandLinesWithPassword)
                    {
                        CommandLinesWithPassword.Add(line);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
