using System.Net;
using System.Net.Sockets;
using System.Text;
using Onward.Integrations.LocalProcesses;
using Onward.Testing;

namespace Onward.Integrations.Tests.LocalProcesses;

public class PortForwarderTests
{
    private static async Task<(TcpListener Listener, Task Serving)> EchoAsync(string name)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serving = Task.Run(async () =>
        {
            while (true)
            {
                using var client = await listener.AcceptTcpClientAsync();
                var stream = client.GetStream();
                var buffer = new byte[64];
                var n = await stream.ReadAsync(buffer);
                await stream.WriteAsync(Encoding.ASCII.GetBytes(name + ":" + Encoding.ASCII.GetString(buffer, 0, n)));
            }
        });
        await Task.Yield();
        return (listener, serving);
    }

    private static async Task<string> AskAsync(int port, string text)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text));
        client.Client.Shutdown(SocketShutdown.Send);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task Connections_go_to_the_current_backend_and_switch_when_it_changes()
    {
        var (blue, _) = await EchoAsync("blue");
        var (green, _) = await EchoAsync("green");
        await using var forwarder = new PortForwarder(Ports.Free());

        forwarder.Backend = ((IPEndPoint)blue.LocalEndpoint).Port;
        (await AskAsync(forwarder.Port, "hi")).ShouldBe("blue:hi");

        forwarder.Backend = ((IPEndPoint)green.LocalEndpoint).Port;
        (await AskAsync(forwarder.Port, "hi")).ShouldBe("green:hi");

        blue.Stop();
        green.Stop();
    }

    [Fact]
    public async Task Without_a_backend_a_connection_is_answered_503_in_words_and_closed()
    {
        await using var forwarder = new PortForwarder(Ports.Free()) { Who = "shop in prod" };

        var answer = await AskAsync(forwarder.Port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        answer.ShouldStartWith("HTTP/1.1 503 Service Unavailable\r\n");
        answer.ShouldEndWith("\r\n\r\nnothing is deployed to shop in prod yet; Onward relays this port once a release is verified\n");
    }

    [Fact]
    public async Task A_backend_that_takes_no_connections_is_answered_502_in_words()
    {
        var dead = Ports.Free();
        await using var forwarder = new PortForwarder(Ports.Free()) { Who = "shop in dev", Backend = dead };

        var answer = await AskAsync(forwarder.Port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        answer.ShouldStartWith("HTTP/1.1 502 Bad Gateway\r\n");
        answer.ShouldContain($"the release behind shop in dev (port {dead}) does not take connections");
    }
}
