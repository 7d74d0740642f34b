using System.Net;
using System.Net.Sockets;
using System.Text;

// A service for tests of the local target. What it does comes from the file `behavior` in its working directory
// (the release's artifact): `ok`, `crash` (exit 3 at once), `unhealthy` (/healthz answers 503), `slow:MS` (wait
// before listening), `exit-later:MS` (healthy, then exits with code 4), `crash-in:ENV` (crash in that environment only),
// `slow-in:ENV:MS` (wait in that environment only), `errors:PCT` (that share of the requests other than /healthz
// answer 500, spread evenly); several, separated by spaces, combine.
var port = int.Parse(Environment.GetEnvironmentVariable("PORT") ?? "8081", System.Globalization.CultureInfo.InvariantCulture);
var version = Environment.GetEnvironmentVariable("ONWARD_VERSION") ?? "dev";
var environment = Environment.GetEnvironmentVariable("ONWARD_ENVIRONMENT") ?? "local";
var behavior = File.Exists("behavior") ? File.ReadAllText("behavior").Trim() : "ok";
foreach (var part in behavior.Split(' ', StringSplitOptions.RemoveEmptyEntries))
{
    if (part.StartsWith($"slow-in:{environment}:", StringComparison.Ordinal))
    {
        await Task.Delay(int.Parse(part[$"slow-in:{environment}:".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
Console.WriteLine($"sample service {version} in {environment}, behavior '{behavior}', port {port}");
if (behavior == "crash" || behavior.Split(' ').Contains($"crash-in:{environment}"))
{
    Console.Error.WriteLine("fatal: the configuration value 'Database' is missing");
    return 3;
}
if (behavior.StartsWith("slow:", StringComparison.Ordinal))
{
    await Task.Delay(int.Parse(behavior[5..], System.Globalization.CultureInfo.InvariantCulture));
}
if (behavior.StartsWith("exit-later:", StringComparison.Ordinal))
{
    var after = int.Parse(behavior[11..], System.Globalization.CultureInfo.InvariantCulture);
    _ = Task.Run(async () =>
    {
        await Task.Delay(after);
        Console.Error.WriteLine("fatal: lost the connection to the database");
        Environment.Exit(4);
    });
}
var errorShare = behavior.Split(' ').FirstOrDefault(p => p.StartsWith("errors:", StringComparison.Ordinal)) is { } errors
    ? int.Parse(errors[7..], System.Globalization.CultureInfo.InvariantCulture)
    : 0;
long served = 0;
var listener = new TcpListener(IPAddress.Loopback, port);
listener.Start();
Console.WriteLine("listening");
while (true)
{
    var client = await listener.AcceptTcpClientAsync();
    _ = Task.Run(async () =>
    {
        using (client)
        {
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.ASCII);
            var requestLine = await reader.ReadLineAsync() ?? "";
            while (!string.IsNullOrEmpty(await reader.ReadLineAsync()))
            {
            }
            var path = requestLine.Split(' ').ElementAtOrDefault(1) ?? "/";
            var n = path == "/healthz" ? 0 : Interlocked.Increment(ref served);
            var (status, body) = path == "/healthz"
                ? (behavior == "unhealthy" ? "503 Service Unavailable" : "200 OK", behavior == "unhealthy" ? "starting\n" : "ok\n")
                : n * errorShare / 100 != (n - 1) * errorShare / 100 ? ("500 Internal Server Error", $"{version} in {environment} failed\n")
                : ("200 OK", $"{version} in {environment}\n");
            var response = $"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
            await stream.WriteAsync(Encoding.UTF8.GetBytes(response));
        }
    });
}
