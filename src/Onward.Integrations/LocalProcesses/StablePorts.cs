using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Onward.Integrations.LocalProcesses;

/// <summary>
/// The server's side of the forwarders: one detached <c>onward forward</c> per local environment, under
/// <c>dataDir/forwarders/ENVIRONMENT</c>, started when first needed and found again by the next server. Each change
/// (a port opened, a switch to a new release) is written to the forwarder's routes and waited for until the
/// forwarder says it is in force.
/// </summary>
public sealed class StablePorts(string dataDir, ILogger logger)
{
    /// <summary>The longest wait for a forwarder to take a change on, its start included.</summary>
    private static readonly TimeSpan TakeOn = TimeSpan.FromSeconds(20);

    /// <summary>The file that says an environment was stopped on purpose (<c>onward local stop</c>): its forwarder is not started again until its next deployment.</summary>
    public const string StoppedMarker = "stopped";

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public static string DirectoryOf(string dataDir, string environment) => Path.Combine(dataDir, "forwarders", environment);

    private string Directory(string environment) => DirectoryOf(dataDir, environment);

    /// <summary>What the environment's forwarder has been told, whether or not it runs now.</summary>
    public ForwarderRoutes Routes(string environment) =>
        ForwarderRoutes.Read(Path.Combine(Directory(environment), ForwarderRoutes.RoutesFile)) ?? ForwarderRoutes.None;

    public bool StoppedOnPurpose(string environment) => File.Exists(Path.Combine(Directory(environment), StoppedMarker));

    /// <summary>
    /// Makes <paramref name="stable"/> serve <paramref name="service"/> in <paramref name="environment"/>, relaying to
    /// <paramref name="backend"/>, or, when it is null, to whatever it relays to now; returns once the forwarder has it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The port cannot be opened, or the forwarder cannot be started.</exception>
    public async Task SetAsync(string environment, string service, int stable, int? backend, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(environment, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var directory = Directory(environment);
            System.IO.Directory.CreateDirectory(directory);
            File.Delete(Path.Combine(directory, StoppedMarker));
            var routes = Routes(environment);
            var existing = routes.Find(service);
            var wanted = new ForwarderRoute(service, stable, backend ?? existing?.Backend ?? 0);
            var process = new DetachedProcess(directory);
            var applied = ForwarderRoutes.Read(Path.Combine(directory, ForwarderRoutes.AppliedFile));
            if (existing == wanted && process.Status().State == ProcessState.Running && applied is not null && applied.Generation == routes.Generation
                && !applied.Errors.ContainsKey(service))
            {
                return;
            }
            var next = existing == wanted ? routes with { Generation = routes.Generation + 1 } : routes.With(wanted);
            next.Write(Path.Combine(directory, ForwarderRoutes.RoutesFile));
            await EnsureRunningAsync(environment, process, cancellationToken);
            var deadline = DateTime.UtcNow + TakeOn;
            while (true)
            {
                applied = ForwarderRoutes.Read(Path.Combine(directory, ForwarderRoutes.AppliedFile));
                if (applied is not null && applied.Generation >= next.Generation)
                {
                    Refuse(environment, service, stable, applied);
                    return;
                }
                if (process.Status().State != ProcessState.Running)
                {
                    throw new InvalidOperationException(
                        $"the forwarder of the stable ports of {environment} stopped ({process.Status().State}): {process.Tail(5).ReplaceLineEndings(" ")}");
                }
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException(
                        $"the forwarder of the stable ports of {environment} did not take the change on within {TakeOn.TotalSeconds:0} s; its output is {process.OutputFile}");
                }
                await Task.Delay(5, cancellationToken);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Stops the environment's forwarder on purpose: its ports close, and stay closed until its next deployment.</summary>
    public async Task<bool> StopAsync(string environment, CancellationToken cancellationToken)
    {
        var directory = Directory(environment);
        System.IO.Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, StoppedMarker), "stopped with onward local stop\n", cancellationToken);
        var process = new DetachedProcess(directory);
        var running = process.Status().State == ProcessState.Running;
        await process.StopAsync(TimeSpan.FromSeconds(5), cancellationToken);
        return running;
    }

    private async Task EnsureRunningAsync(string environment, DetachedProcess process, CancellationToken cancellationToken)
    {
        if (process.Status().State == ProcessState.Running)
        {
            return;
        }
        var command = ForwarderCommand.For(process.Directory) ?? throw new InvalidOperationException(
            $"the stable ports of {environment} are served by `onward forward`, and this process cannot find the onward executable; set {ForwarderCommand.Variable} to its path (onward, or onward.dll)");
        if (process.HasStarted)
        {
            logger.LogWarning("The forwarder of the stable ports of {Environment} was not running ({State}); starting it again", environment, process.Status().State);
            process.Reset();
        }
        var pid = await process.StartAsync(command, process.Directory, new Dictionary<string, string>(), cancellationToken);
        logger.LogInformation("Started the forwarder of the stable ports of {Environment} (pid {Pid})", environment, pid);
    }

    private static void Refuse(string environment, string service, int stable, ForwarderRoutes applied)
    {
        if (applied.Errors.TryGetValue(service, out var error))
        {
            throw new InvalidOperationException(
                $"port {stable} of {service} in {environment} cannot be opened ({error}); another program uses it: stop it, or set `environments.{environment}.target.local.ports.{service}` to a free port");
        }
    }
}
