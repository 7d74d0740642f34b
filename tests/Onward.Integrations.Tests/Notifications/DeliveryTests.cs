using System.Net;
using System.Net.Sockets;
using System.Text;
using Onward.Integrations.Notifications;

namespace Onward.Integrations.Tests.Notifications;

/// <summary>A receiver that answers its headers and then stalls or breaks off its body is tried again, never waited for without end.</summary>
public class DeliveryTests
{
    [Theory]
    [InlineData(false, "did not answer within 1 s")]
    [InlineData(true, "broke off its answer")]
    public async Task An_answer_whose_body_stalls_or_breaks_off_is_tried_again(bool breakOff, string error)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync(stop.Token);
            var stream = client.GetStream();
            // Read the request up to the end of its headers (the small body comes with them or is left unread).
            var seen = new StringBuilder();
            var buffer = new byte[4096];
            while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, stop.Token);
                if (read == 0)
                {
                    return;
                }
                seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"id\": 4"), stop.Token);
            await stream.FlushAsync(stop.Token);
            if (!breakOff)
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        });
        // A body broken off must be told as such, not as a timeout: give that case all the time a loaded machine needs.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(breakOff ? 20 : 1) };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/hook") { Content = new StringContent("{}") };

        var (outcome, answer) = await Delivery.SendAsync(http, request, "127.0.0.1", CancellationToken.None);

        (outcome.Delivered, outcome.Retry, outcome.Error).ShouldBe((false, true, $"127.0.0.1 {error}"));
        answer.ShouldBeNull();
        await stop.CancelAsync();
        await server;
    }
}
