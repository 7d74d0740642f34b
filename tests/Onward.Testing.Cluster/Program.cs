using System.Globalization;
using System.Runtime.InteropServices;
using Onward.Testing.Kubernetes;

// The simulated cluster (API test server, controllers, kubelet) as a process of its own, for benchmarks and checks
// from outside a test: `dotnet run --project tests/Onward.Testing.Cluster -- --port PORT --kubeconfig FILE
// [--namespace NAME]...`. It writes a kubeconfig for itself, prints one line when it serves, and serves until stopped.
string? kubeconfig = null;
int? port = null;
var namespaces = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : null;
    switch (args[i])
    {
        case "--port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536:
            port = p;
            i++;
            break;
        case "--kubeconfig" when !string.IsNullOrEmpty(value):
            kubeconfig = Path.GetFullPath(value);
            i++;
            break;
        case "--namespace" when !string.IsNullOrEmpty(value):
            namespaces.Add(value);
            i++;
            break;
        case "--help" or "-h":
            Console.WriteLine("usage: Onward.Testing.Cluster [--port PORT] [--kubeconfig FILE] [--namespace NAME]...");
            return 0;
        default:
            Console.Error.WriteLine($"unknown or incomplete argument '{args[i]}'; usage: Onward.Testing.Cluster [--port PORT] [--kubeconfig FILE] [--namespace NAME]...");
            return 2;
    }
}

await using var server = await KubernetesApiServer.StartAsync(simulate: true, namespaces: namespaces, port: port);
if (kubeconfig is not null)
{
    Directory.CreateDirectory(Path.GetDirectoryName(kubeconfig)!);
    await File.WriteAllTextAsync(kubeconfig, server.Kubeconfig());
}
using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
Console.WriteLine($"simulated cluster serving at {server.Url}" + (kubeconfig is null ? "" : $", kubeconfig {kubeconfig}"));
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}
return 0;
