using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Onward.Server.Problems;

/// <summary>
/// Kestrel answers some requests itself before any of Onward runs (a malformed request line or header, a <c>%00</c>
/// in the path, a URL or headers over its limits), with an empty body that no middleware can change
/// (https://github.com/aspnet/KestrelHttpServer/issues/2947). This connection middleware watches the bytes Kestrel
/// writes and gives exactly those answers an <c>application/problem+json</c> body, so that every error Onward sends
/// says what was wrong. They are recognised by what only Kestrel's own rejections look like: the last bytes written
/// to a connection, an HTTP/1.1 error status with <c>Content-Length: 0</c> and <c>Connection: close</c> (every error
/// Onward itself answers carries a body).
/// </summary>
public static class KestrelProblemBodies
{
    private const int LongestRejection = 2048;

    public static IConnectionBuilder UseProblemBodies(this ListenOptions options) =>
        options.Use(next => async connection =>
        {
            var original = connection.Transport;
            var output = new Pipe(new PipeOptions(useSynchronizationContext: false));
            connection.Transport = new DuplexPipe(original.Input, output.Writer);
            var pumping = PumpAsync(output.Reader, original.Output);
            try
            {
                await next(connection);
            }
            finally
            {
                await output.Writer.CompleteAsync();
                await pumping;
                connection.Transport = original;
            }
        });

    private static async Task PumpAsync(PipeReader from, PipeWriter to)
    {
        try
        {
            while (true)
            {
                var read = await from.ReadAsync();
                var buffer = read.Buffer;
                if (buffer.Length <= LongestRejection && Rewrite(Encoding.Latin1.GetString(buffer)) is { } rewritten)
                {
                    await to.WriteAsync(rewritten);
                }
                else
                {
                    foreach (var segment in buffer)
                    {
                        await to.WriteAsync(segment);
                    }
                }
                from.AdvanceTo(buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or OperationCanceledException or InvalidOperationException)
        {
            // The client went away; there is nobody to answer.
        }
        finally
        {
            await from.CompleteAsync();
            await to.CompleteAsync();
        }
    }

    /// <returns>The same bytes with Kestrel's empty rejection given a problem body; null when there is no such rejection.</returns>
    public static byte[]? Rewrite(string written)
    {
        var start = Math.Max(written.LastIndexOf("HTTP/1.1 4", StringComparison.Ordinal), written.LastIndexOf("HTTP/1.1 5", StringComparison.Ordinal));
        if (start < 0 || !written.EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            return null;
        }
        var head = written[start..^4];
        var lines = head.Split("\r\n");
        if (!lines.Contains("Content-Length: 0") || !lines.Contains("Connection: close") || lines[0].Length < 12 || !int.TryParse(lines[0][9..12], out var status))
        {
            return null;
        }
        var title = lines[0].Length > 13 ? lines[0][13..] : "Error";
        if (status == 505)
        {
            // A version of HTTP that is not spoken is the client's mistake; a 5xx stays the sign of Onward's own failure.
            (status, title, lines[0]) = (400, "Bad Request", "HTTP/1.1 400 Bad Request");
        }
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["type"] = $"https://tools.ietf.org/html/rfc9110#section-{(status >= 500 ? "15.6" : "15.5")}",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = Detail(status),
        });
        var text = new StringBuilder(written[..start]).Append(lines[0]).Append("\r\n");
        foreach (var line in lines.Skip(1).Where(l => l != "Content-Length: 0"))
        {
            text.Append(line).Append("\r\n");
        }
        text.Append("Content-Type: application/problem+json\r\n").Append("Content-Length: ").Append(body.Length).Append("\r\n\r\n");
        return [.. Encoding.Latin1.GetBytes(text.ToString()), .. body];
    }

    private static string Detail(int status) => status switch
    {
        400 => "the request could not be read: its request line, a header or the path is malformed (a path must not hold control characters such as %00), or it is not HTTP/1.1",
        408 => "the request did not arrive in time",
        411 => "a request with a body must say its length (Content-Length) or be chunked",
        413 => "the body is larger than this server accepts",
        414 => "the URL is longer than this server accepts (8 KiB); send long values in a body instead",
        431 => "the request's headers are larger than this server accepts (32 KiB in all)",
        _ => "the server could not take this request",
    };

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
