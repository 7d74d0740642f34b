using System.Net.Sockets;
using System.Text;

namespace Onward.Testing;

/// <summary>
/// HTTP/1.1 written by hand on a socket, for requests no well-behaved client sends: a Content-Length that lies, a
/// path with a NUL, headers past every limit.
/// </summary>
public static class RawHttp
{
    /// <param name="head">The request line and headers, without the closing blank line.</param>
    /// <returns>The status code, the response's headers and its body as text.</returns>
    public static async Task<(int Status, string Headers, string Body)> SendAsync(Uri server, string head, byte[]? body = null, bool closeAfterBody = true)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.TrimEnd('\r', '\n').Replace("\n", "\r\n", StringComparison.Ordinal).Replace("\r\r\n", "\r\n", StringComparison.Ordinal) + "\r\n\r\n"));
        if (body is not null)
        {
            await stream.WriteAsync(body);
        }
        if (closeAfterBody)
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var text = new StringBuilder();
        var buffer = new char[8192];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer, timeout.Token)) > 0)
            {
                text.Append(buffer, 0, read);
                if (IsComplete(text.ToString()))
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // The server may reset the connection right after its answer to a request it refused.
        }
        var all = text.ToString();
        var split = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (split < 0)
        {
            throw new InvalidOperationException($"no complete HTTP answer: '{all}'");
        }
        var headers = all[..split];
        var status = int.Parse(headers.Split(' ')[1]);
        var rest = all[(split + 4)..];
        return (status, headers, headers.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? Dechunk(rest) : rest);
    }

    private static bool IsComplete(string text)
    {
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (split < 0)
        {
            return false;
        }
        var headers = text[..split];
        var length = headers.Split("\r\n").FirstOrDefault(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        if (length is not null)
        {
            return Encoding.UTF8.GetByteCount(text[(split + 4)..]) >= int.Parse(length["Content-Length:".Length..].Trim());
        }
        return headers.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) && text.EndsWith("0\r\n\r\n", StringComparison.Ordinal);
    }

    private static string Dechunk(string text)
    {
        var result = new StringBuilder();
        var at = 0;
        while (at < text.Length)
        {
            var end = text.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (end < 0)
            {
                break;
            }
            var size = Convert.ToInt32(text[at..end].Split(';')[0], 16);
            if (size == 0)
            {
                break;
            }
            result.Append(text, end + 2, size);
            at = end + 2 + size + 2;
        }
        return result.ToString();
    }
}
