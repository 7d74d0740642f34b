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
    public async Task Without_a_backend_connections_are_closed_at_once()
    {
        await using var forwarder = new PortForwarder(Ports.Free());

        // Closing a socket whose request was not read makes the kernel answer with a reset rather than an orderly
        // end, depending on whether the request arrived before the close: either way, nothing comes back.
        string answer;
        try
        {
            answer = await AskAsync(forwarder.Port, "hello");
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            answer = "";
        }
        answer.ShouldBe("");
    }
}
