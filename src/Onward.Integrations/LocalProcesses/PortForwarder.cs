using System.Net;
using System.Net.Sockets;

namespace Onward.Integrations.LocalProcesses;

/// <summary>
/// Listens on an environment's stable port and relays each connection to the port of the release that currently
/// serves. Switching the backend takes effect for the next connection; open connections finish where they started,
/// so a new release takes over without a gap.
/// </summary>
public sealed class PortForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile int _backend;

    public PortForwarder(int port)
    {
        Port = port;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start(512);
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>
    /// What a connection is told while nothing serves, or when the release does not take it: an HTTP answer in words
    /// (every client of a stable port here speaks HTTP), instead of a connection reset that says nothing.
    /// </summary>
    public string Who { get; init; } = "this port";

    /// <summary>The port connections go to; 0 while nothing serves.</summary>
    public int Backend
    {
        get => _backend;
        set => _backend = value;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            _ = RelayAsync(client, _backend);
        }
    }

    private async Task RelayAsync(Socket client, int backend)
    {
        using (client)
        {
            if (backend == 0)
            {
                await AnswerAsync(client, "503 Service Unavailable", $"nothing is deployed to {Who} yet; Onward relays this port once a release is verified\n");
                return;
            }
            using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                upstream.NoDelay = true;
                client.NoDelay = true;
                try
                {
                    await upstream.ConnectAsync(IPAddress.Loopback, backend, _stop.Token);
                }
                catch (SocketException)
                {
                    await AnswerAsync(client, "502 Bad Gateway", $"the release behind {Who} (port {backend}) does not take connections; see its deployment in Onward\n");
                    return;
                }
                await using var a = new NetworkStream(client, ownsSocket: false);
                await using var b = new NetworkStream(upstream, ownsSocket: false);
                var toUpstream = PipeAsync(a, b, upstream, _stop.Token);
                var toClient = PipeAsync(b, a, client, _stop.Token);
                await Task.WhenAll(toUpstream, toClient);
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                // The other side went away; closing both ends is all there is to do.
            }
        }
    }

    private async Task AnswerAsync(Socket client, string status, string text)
    {
        try
        {
            var body = System.Text.Encoding.UTF8.GetBytes(text);
            var head = System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await client.SendAsync(head.Concat(body).ToArray(), SocketFlags.None, timeout.Token);
            client.Shutdown(SocketShutdown.Send);
            // Read what the client sent meanwhile, so that closing does not reset the connection before it read the answer.
            var sink = new byte[4096];
            while (await client.ReceiveAsync(sink, SocketFlags.None, timeout.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static async Task PipeAsync(NetworkStream from, NetworkStream to, Socket toSocket, CancellationToken cancellationToken)
    {
        await from.CopyToAsync(to, 64 * 1024, cancellationToken);
        // Half-close: the peer sees end-of-stream while the other direction keeps flowing.
        toSocket.Shutdown(SocketShutdown.Send);
    }
}
