using Onward.Core;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Onward.Integrations.LocalProcesses;

/// <summary>
/// The server's side of the forwarders: one detached <c>onward forward</c> per local environment, under
/// <c>dataDir/forwarders/ENVIRONMENT</c>, started when first needed and found again by the next server. Each change
/// (a port opened, a switch to a new release) is written to the forwarder's routes and waited for until the
/// forwarder says it is in force. Changes to one environment take turns across processes (a lock file), so that two
/// replicas on one host never write over each other's change.
/// </summary>
public sealed class StablePorts(string dataDir, ILogger logger)
{
    /// <summary>The longest wait for a forwarder to take a change on, its start included.</summary>
    private static readonly TimeSpan TakeOn = TimeSpan.FromSeconds(20);

    /// <summary>The file that says an environment was stopped on purpose (<c>onward local stop</c>): its forwarder is not started again until its next deployment.</summary>
    public const string StoppedMarker = "stopped";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _versionTold = new(StringComparer.Ordinal);

    public static string DirectoryOf(string dataDir, string environment) => Path.Combine(dataDir, "forwarders", environment);

    private string Directory(string environment) => DirectoryOf(dataDir, environment);

    /// <summary>What the environment's forwarder has been told, whether or not it runs now.</summary>
    public ForwarderRoutes Routes(string environment) =>
        ForwarderRoutes.Read(Path.Combine(Directory(environment), ForwarderRoutes.RoutesFile)) ?? ForwarderRoutes.None;

    public bool StoppedOnPurpose(string environment) => File.Exists(Path.Combine(Directory(environment), StoppedMarker));

    /// <summary>
    /// Makes <paramref name="stable"/> serve <paramref name="service"/> in <paramref name="environment"/> as
    /// <paramref name="change"/> makes its route of the one there is (a route relaying nowhere when there is none);
    /// returns once the forwarder has it in force (in HTTP mode: once requests to a release left behind have finished).
    /// </summary>
    /// <exception cref="InvalidOperationException">The port cannot be opened, or the forwarder cannot be started.</exception>
    public Task SetAsync(string environment, string service, int stable, Func<ForwarderRoute, ForwarderRoute> change, CancellationToken cancellationToken) =>
        ChangeAsync(environment, routes =>
        {
            var existing = routes.Find(service);
            var wanted = change(existing is null ? new ForwarderRoute(service, stable, 0) : existing with { Stable = stable }) with { Service = service, Stable = stable };
            return (existing == wanted ? routes : routes.With(wanted), service);
        }, reopen: true, cancellationToken);

    /// <summary>What the environment's forwarder counted in HTTP mode (empty before it counted anything).</summary>
    public (IReadOnlyList<TrafficCount> Counts, IReadOnlyList<TrafficLatency> Latencies) Traffic(string environment) =>
        ForwarderTraffic.Read(Path.Combine(Directory(environment), ForwarderTraffic.File));

    /// <summary>Closes the stable ports of services no longer in <paramref name="services"/> (removed or renamed in onward.yaml).</summary>
    public Task KeepOnlyAsync(string environment, IReadOnlyCollection<string> services, CancellationToken cancellationToken) =>
        ChangeAsync(environment, routes =>
            routes.Routes.All(r => services.Contains(r.Service))
                ? (routes, null)
                : (routes with { Generation = routes.Generation + 1, Routes = routes.Routes.Where(r => services.Contains(r.Service)).ToList() }, null),
            reopen: false, cancellationToken);

    /// <summary>Starts the environment's forwarder again if it died (it had routes, and was not stopped on purpose).</summary>
    public async Task ReviveAsync(string environment, CancellationToken cancellationToken)
    {
        var process = new DetachedProcess(Directory(environment));
        if (!process.HasStarted || StoppedOnPurpose(environment) || process.Status().State == ProcessState.Running || Routes(environment).Routes.Count == 0)
        {
            return;
        }
        await ChangeAsync(environment, routes => (routes, null), reopen: false, cancellationToken);
    }

    /// <summary>Stops the environment's forwarder on purpose: its ports close, and stay closed until its next deployment.</summary>
    public async Task<bool> StopAsync(string environment, CancellationToken cancellationToken)
    {
        var directory = Directory(environment);
        System.IO.Directory.CreateDirectory(directory, OwnerOnly);
        await using var turn = await TurnAsync(directory, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, StoppedMarker), "stopped with onward local stop\n", cancellationToken);
        // The releases it relayed to are stopped too: a later start relays nowhere until each service is deployed again.
        var routes = Routes(environment);
        if (routes.Routes.Count > 0)
        {
            (routes with { Generation = routes.Generation + 1, Routes = routes.Routes.Select(r => r with { Backend = 0 }).ToList() })
                .Write(Path.Combine(directory, ForwarderRoutes.RoutesFile));
        }
        var process = new DetachedProcess(directory);
        var running = process.Status().State == ProcessState.Running;
        await process.StopAsync(TimeSpan.FromSeconds(5), cancellationToken);
        return running;
    }

    /// <param name="change">The routes to write given those there are, and the service whose port must be open afterwards (null: none).</param>
    /// <param name="reopen">Whether the change undoes an <c>onward local stop</c> (a deployment does; a clean-up does not).</param>
    private async Task ChangeAsync(string environment, Func<ForwarderRoutes, (ForwarderRoutes Next, string? Service)> change, bool reopen, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(environment, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var directory = Directory(environment);
            System.IO.Directory.CreateDirectory(directory, OwnerOnly);
            await using var turn = await TurnAsync(directory, cancellationToken);
            if (reopen)
            {
                File.Delete(Path.Combine(directory, StoppedMarker));
            }
            else if (StoppedOnPurpose(environment))
            {
                return;
            }
            var routes = Routes(environment);
            var (next, service) = change(routes);
            var process = new DetachedProcess(directory);
            var applied = ForwarderRoutes.Read(Path.Combine(directory, ForwarderRoutes.AppliedFile));
            var running = process.Status().State == ProcessState.Running;
            if (next == routes && running && applied is not null && applied.Generation == routes.Generation && (service is null || !applied.Errors.ContainsKey(service)))
            {
                return;
            }
            // Written as a new generation even when the routes are the same: a port that could not be opened is tried again.
            next = next with { Generation = Math.Max(next.Generation, routes.Generation + 1) };
            next.Write(Path.Combine(directory, ForwarderRoutes.RoutesFile));
            await EnsureRunningAsync(environment, process, cancellationToken);
            await WaitTakenOnAsync(environment, process, next, service, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task WaitTakenOnAsync(string environment, DetachedProcess process, ForwarderRoutes next, string? service, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TakeOn;
        // Woken as soon as the forwarder answers, looking anyway every few milliseconds.
        using var answered = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(process.Directory, ForwarderRoutes.AppliedFile) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite };
        watcher.Renamed += (_, _) => answered.Release();
        watcher.Created += (_, _) => answered.Release();
        watcher.Changed += (_, _) => answered.Release();
        watcher.EnableRaisingEvents = true;
        while (true)
        {
            var applied = ForwarderRoutes.Read(Path.Combine(process.Directory, ForwarderRoutes.AppliedFile));
            if (applied is not null && applied.Generation >= next.Generation)
            {
                TellVersion(environment, applied);
                if (service is not null && applied.Errors.TryGetValue(service, out var error))
                {
                    var port = next.Find(service)?.Stable;
                    throw new InvalidOperationException(
                        $"port {port} of {service} in {environment} cannot be opened ({error}); another program uses it: stop it, or set `environments.{environment}.target.local.ports.{service}` to a free port");
                }
                if (service is not null && applied.Find(service) != next.Find(service))
                {
                    throw new InvalidOperationException(next.Find(service) is { Http: true } && applied.Version != OnwardVersion.Current
                        ? $"the forwarder of {environment} runs Onward {applied.Version ?? "of an earlier version"}, which relays connections only, and {service} has a canary (HTTP requests); "
                          + $"`onward local stop --env {environment}` and a deployment start this version's"
                        : $"the forwarder of {environment} relays {service} as {applied.Find(service)}, not as asked ({next.Find(service)}); try again");
                }
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
            await answered.WaitAsync(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    /// <summary>A forwarder left by another version of Onward serves on (the files are read the same); said once.</summary>
    private void TellVersion(string environment, ForwarderRoutes applied)
    {
        if (applied.Version is { } version && version != OnwardVersion.Current && _versionTold.TryAdd(environment, version))
        {
            logger.LogInformation("The forwarder of the stable ports of {Environment} runs Onward {Theirs}, this server {Ours}; it serves on. `onward local stop --env {Environment}` and a deployment replace it",
                environment, version, OnwardVersion.Current, environment);
        }
    }

    /// <summary>This process's turn at an environment's files: an exclusive lock on <c>lock</c>, waited for.</summary>
    private static async Task<FileStream> TurnAsync(string directory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, "lock");
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(10, cancellationToken);
            }
        }
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
}
