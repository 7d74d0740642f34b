using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Onward.Core.Canaries;
using Onward.Core.Configuration;
using Onward.Core.Drift;
using Onward.Core.LocalProcesses;
using Onward.Core.Pipeline;
using Onward.Core.Previews;
using Onward.Core.Targets;
using Onward.Integrations.ImageBuilds;

namespace Onward.Integrations.LocalProcesses;

/// <summary>
/// The <c>local</c> target: each deployment runs its release as a detached process on a fresh port, under
/// <c>dataDir/instances/DEPLOYMENT-ID</c>. The environment's stable port is relayed to the current release once the new
/// one answers its health URL; a release that never does never gets the traffic. The relay is the environment's
/// forwarder (<see cref="StablePorts"/>), a detached process too, so that applications stay reachable while the
/// server stops, restarts or is upgraded.
/// </summary>
public sealed class LocalTarget(
    string dataDir,
    ILocalPortStore ports,
    ImageUnpacker images,
    TimeProvider time,
    ILogger<LocalTarget> logger,
    IJobQueue? jobs = null) : IDeploymentTarget, ICanaryTarget, IPreviewTarget, IAsyncDisposable
{
    private const int OutputTailLines = 50;
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(1);
    private readonly StablePorts _stable = new(dataDir, logger);

    /// <summary>Ports assigned (not configured) per service and environment: they never change once assigned.</summary>
    private readonly ConcurrentDictionary<(string Service, string Environment), int> _assigned = new();

    /// <summary>The stable ports this server has seen open (a forwarder that dies is started again with its routes).</summary>
    private readonly ConcurrentDictionary<(string Service, string Environment, int Port), bool> _open = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseProxy = false })
    {
        Timeout = TimeSpan.FromSeconds(2),
    };

    public TargetKind Kind => TargetKind.Local;

    /// <summary>The stable address of a service in an environment, once its port is open.</summary>
    public string? Address(string service, string environment) =>
        _knownPorts.TryGetValue((service, environment), out var port) && port > 0 ? $"http://127.0.0.1:{port}"
        : _stable.Routes(environment).Find(service) is { } route ? $"http://127.0.0.1:{route.Stable}"
        : null;

    private readonly ConcurrentDictionary<(string Service, string Environment), int> _knownPorts = new();

    /// <summary>
    /// Learns the stable port of every service in every local environment without opening it: a replica that does not
    /// run the local target still answers where each service is.
    /// </summary>
    public async Task LearnPortsAsync(OnwardConfig config, CancellationToken cancellationToken)
    {
        foreach (var environment in config.AllEnvironments.Where(e => e.Target.Local is not null))
        {
            foreach (var service in config.ServicesIn(environment))
            {
                _knownPorts[(service.Name, environment.Name)] = environment.Target.Local!.Ports.TryGetValue(service.Name, out var configured)
                    ? configured
                    : await ports.GetOrAssignAsync(service.Name, environment.Name, PortAllocator.Next(), cancellationToken) ?? 0;
            }
        }
    }

    /// <summary>
    /// Opens the stable port of every service in every local environment, assigning ports where none is configured;
    /// what a forwarder still running from before relays to is kept. An environment stopped on purpose
    /// (<c>onward local stop</c>) stays stopped until its next deployment.
    /// </summary>
    public async Task OpenPortsAsync(OnwardConfig config, CancellationToken cancellationToken)
    {
        // Each environment's forwarder starts at the same time as the others'.
        await Task.WhenAll(config.AllEnvironments.Where(e => e.Target.Local is not null).Select(async environment =>
        {
            if (_stable.StoppedOnPurpose(environment.Name))
            {
                logger.LogInformation("{Environment} was stopped with `onward local stop`; its stable ports open again with its next deployment", environment.Name);
                await LearnPortsAsync(config with { Environments = [environment], Previews = [] }, cancellationToken);
                return;
            }
            foreach (var service in config.ServicesIn(environment))
            {
                await ListenAsync(service, environment, cancellationToken);
            }
            // A service removed or renamed in onward.yaml gives its port back.
            var kept = config.ServicesIn(environment).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            await _stable.KeepOnlyAsync(environment.Name, kept, cancellationToken);
            foreach (var gone in _open.Keys.Where(k => k.Environment == environment.Name && !kept.Contains(k.Service)).ToList())
            {
                _open.TryRemove(gone, out _);
            }
        }));
    }

    /// <summary>Starts again the forwarder of any local environment that died (it is not left to the next deployment).</summary>
    public async Task ReviveForwardersAsync(OnwardConfig config, CancellationToken cancellationToken)
    {
        foreach (var environment in config.AllEnvironments.Where(e => e.Target.Local is not null))
        {
            await _stable.ReviveAsync(environment.Name, cancellationToken);
        }
    }

    public async Task<string?> AddressAsync(ServiceConfig service, EnvironmentConfig environment, CancellationToken cancellationToken) =>
        $"http://127.0.0.1:{await StablePortAsync(service, environment, cancellationToken)}";

    /// <summary>
    /// Stops the preview's release processes and its forwarder, and removes the forwarder's folder: its stable port is
    /// closed for good (the releases' folders stay, with their logs).
    /// </summary>
    public async Task<string?> DestroyAsync(string service, EnvironmentConfig environment, CancellationToken cancellationToken)
    {
        var stopped = await LocalShutdown.StopAsync(dataDir, [environment.Name], cancellationToken);
        var folder = StablePorts.DirectoryOf(dataDir, environment.Name);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        foreach (var key in _open.Keys.Where(k => k.Environment == environment.Name).ToList())
        {
            _open.TryRemove(key, out _);
        }
        _assigned.TryRemove((service, environment.Name), out _);
        _knownPorts.TryRemove((service, environment.Name), out _);
        return $"stopped {stopped.Releases} release process(es) and the forwarder of its stable port";
    }

    public async Task<StepResult> ApplyAsync(TargetContext context, CancellationToken cancellationToken)
    {
        await ListenAsync(context.Service, context.Environment, cancellationToken);
        var process = Instance(context.Deployment.Id);
        if (process.HasStarted)
        {
            return StepResult.Done($"{context.Release.Version} is running as pid {process.Status().Pid} on port {ReadPort(process)}");
        }
        var (pid, port) = await StartAsync(context, process, cancellationToken);
        return StepResult.Done($"started {context.Release.Version} as pid {pid} on port {port}; waiting for {HealthUrl(context, port)}");
    }

    public async Task<StepResult> VerifyAsync(TargetContext context, CancellationToken cancellationToken)
    {
        var process = Instance(context.Deployment.Id);
        var port = ReadPort(process);
        var health = HealthUrl(context, port);
        var status = process.Status();
        var startedAt = process.StartedAt ?? time.GetUtcNow();
        var waited = time.GetUtcNow() - startedAt;
        if (status.State is ProcessState.Exited or ProcessState.Vanished or ProcessState.NotStarted)
        {
            var how = status.State == ProcessState.Exited
                ? $"exited with code {status.ExitCode}{SignalName(status.ExitCode)}"
                : "disappeared without an exit status";
            return StepResult.Fail(
                $"{context.Service.Name} {context.Release.Version} {how} after {DurationText.Format(waited)}, before {health} answered",
                Diagnosis(context, process, health, how));
        }
        var answer = await ProbeAsync(health, cancellationToken);
        if (answer.Healthy)
        {
            return StepResult.Done($"verified: GET {health} answered {answer.Description} after {DurationText.Format(waited)}");
        }
        if (context.Deployment.VerifyDeadline is { } deadline && time.GetUtcNow() >= deadline)
        {
            var timeout = DurationText.Format(context.Service.VerifyTimeout);
            return StepResult.Fail(
                $"{context.Service.Name} {context.Release.Version} did not become healthy within {timeout}; last answer: {answer.Description}",
                Diagnosis(context, process, health, $"still running as pid {status.Pid}, never healthy within {timeout}; last answer: {answer.Description}"));
        }
        // Look often at first, when most releases become ready, and less often the longer one takes.
        var recheck = TimeSpan.FromMilliseconds(Math.Clamp(waited.TotalMilliseconds / 10, 2, 1000));
        return StepResult.Wait(recheck, $"waiting for {health}: {answer.Description}");
    }

    public async Task<IReadOnlyList<string>> PromoteAsync(TargetContext context, CancellationToken cancellationToken)
    {
        var stable = await StablePortAsync(context.Service, context.Environment, cancellationToken);
        var process = Instance(context.Deployment.Id);
        var retiring = context.Previous is { } retired && retired.Deployment.Id != context.Deployment.Id ? Instance(retired.Deployment.Id) : null;
        if (retiring is not null)
        {
            // The intent to stop goes to disk before the switch: a crash in the moment between the switch and the stop
            // leaves a marked process, which the next start stops (StopLeftoversAsync).
            await File.WriteAllTextAsync(RetireMarker(retiring), $"replaced by deployment {context.Deployment.Id}\n", cancellationToken);
        }
        var backend = ReadPort(process);
        await _stable.SetAsync(context.Environment.Name, context.Service.Name, stable, r => Serve(r, context, backend, context.Release.Version), cancellationToken);
        logger.LogInformation("{Service} in {Environment}: port {Stable} now serves {Version} (port {Port})",
            context.Service.Name, context.Environment.Name, stable, context.Release.Version, backend);
        if (retiring is { } old)
        {
            _ = Task.Run(async () =>
            {
                // Connections opened just before the switch still reach the old process for a moment.
                await Task.Delay(Drain, CancellationToken.None);
                await old.StopAsync(StopGrace, CancellationToken.None);
            }, CancellationToken.None);
        }
        return [];
    }

    /// <summary>
    /// The stable port relays requests (HTTP mode) where the service has a canary in the environment, so that the canary
    /// can get a share of them, and connections otherwise.
    /// </summary>
    private static bool HttpMode(ServiceConfig service, EnvironmentConfig environment) =>
        service.CanaryIn(environment) is not null && service.Deploy.Local?.Tcp != true;

    /// <summary>The route relaying every request or connection to <paramref name="backend"/>, which runs <paramref name="version"/>.</summary>
    private static ForwarderRoute Serve(ForwarderRoute route, TargetContext context, int backend, string version) =>
        HttpMode(context.Service, context.Environment)
            ? route with { Http = true, Backend = backend, Version = version, Canary = 0, CanaryVersion = "", Weight = 0 }
            : Plain(route with { Backend = backend });

    /// <summary><paramref name="served"/> with the canary <paramref name="before"/> had, while a release process still answers on the canary's port.</summary>
    private ForwarderRoute KeepCanary(ForwarderRoute before, ForwarderRoute served) =>
        served.Http && before is { Http: true, Canary: > 0 and var canary } && RunningOn(canary)
            ? served with { Canary = canary, CanaryVersion = before.CanaryVersion, Weight = before.Weight }
            : served;

    /// <summary>Whether a release process this target started runs on <paramref name="port"/>.</summary>
    private bool RunningOn(int port)
    {
        var instances = Path.Combine(dataDir, "instances");
        return Directory.Exists(instances) && Directory.EnumerateDirectories(instances)
            .Select(d => new DetachedProcess(d))
            .Any(p => ReadPort(p) == port && p.Status().State == ProcessState.Running);
    }

    /// <summary>Sends the share of a canary whose process was stopped back to the running release, in every local environment.</summary>
    private async Task DropCanaryAsync(int port, CancellationToken cancellationToken)
    {
        foreach (var environment in LocalShutdown.ForwarderEnvironments(dataDir))
        {
            foreach (var route in _stable.Routes(environment).Routes.Where(r => r.Canary == port))
            {
                await _stable.SetAsync(environment, route.Service, route.Stable, r => r with { Canary = 0, CanaryVersion = "", Weight = 0 }, cancellationToken);
            }
        }
    }

    private static ForwarderRoute Plain(ForwarderRoute route) => route with { Http = false, Version = "", Canary = 0, CanaryVersion = "", Weight = 0 };

    public async Task<string> SetCanaryWeightAsync(TargetContext context, int weight, CancellationToken cancellationToken)
    {
        var (running, version) = Running(context);
        var canary = ReadPort(Instance(context.Deployment.Id));
        var stable = await StablePortAsync(context.Service, context.Environment, cancellationToken);
        await _stable.SetAsync(context.Environment.Name, context.Service.Name, stable,
            r => Serve(r, context, running, version) with { Canary = canary, CanaryVersion = context.Release.Version, Weight = weight }, cancellationToken);
        return $"port {stable} sends {weight}% of the requests to port {canary} ({context.Release.Version}), {100 - weight}% to port {running} ({version})";
    }

    public async Task<string> AbortCanaryAsync(TargetContext context, CancellationToken cancellationToken)
    {
        var (running, version) = Running(context);
        var stable = await StablePortAsync(context.Service, context.Environment, cancellationToken);
        // Every request goes back at once; the canary stops once those on their way to it have finished.
        await _stable.SetAsync(context.Environment.Name, context.Service.Name, stable, r => Serve(r, context, running, version), cancellationToken);
        await Instance(context.Deployment.Id).StopAsync(StopGrace, cancellationToken);
        return $"every request on port {stable} goes to {version} again; {context.Release.Version} was stopped";
    }

    /// <summary>What the forwarder of a local environment counted of the requests to its stable ports in HTTP mode.</summary>
    public (IReadOnlyList<TrafficCount> Counts, IReadOnlyList<TrafficLatency> Latencies) Traffic(string environment) => _stable.Traffic(environment);

    public long? CanaryRequests(TargetContext context) =>
        _stable.Traffic(context.Environment.Name).Counts
            .Where(c => c.Service == context.Service.Name && c.Version == context.Release.Version)
            .Sum(c => c.Count);

    /// <summary>The port and version of the release a canary runs beside.</summary>
    private (int Port, string Version) Running(TargetContext context) =>
        context.Previous is { } previous
            ? (ReadPort(Instance(previous.Deployment.Id)), previous.Release.Version)
            : throw new InvalidOperationException("a canary needs a running release");

    /// <summary>A process is not compared with what started it; the health check and adoption look after it.</summary>
    public Task<IReadOnlyList<DriftDifference>?> DriftAsync(TargetContext context, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<DriftDifference>?>(null);

    public Task<string> HealAsync(TargetContext context, CancellationToken cancellationToken) =>
        Task.FromResult("the local target does not repair drift");

    public async Task<string> RestoreAsync(TargetContext context, CancellationToken cancellationToken)
    {
        await Instance(context.Deployment.Id).StopAsync(StopGrace, cancellationToken);
        if (context.Previous is not { } previous)
        {
            return "there is no earlier release to restore; the failed one was stopped";
        }
        var stable = await StablePortAsync(context.Service, context.Environment, cancellationToken);
        var old = Instance(previous.Deployment.Id);
        if (old.Status().State == ProcessState.Running)
        {
            await _stable.SetAsync(context.Environment.Name, context.Service.Name, stable, r => Serve(r, context, ReadPort(old), previous.Release.Version), cancellationToken);
            return $"{previous.Release.Version} kept serving on port {stable}";
        }
        var previousContext = context with { Deployment = previous.Deployment, Release = previous.Release, Previous = null };
        old.Reset();
        var (pid, port) = await StartAsync(previousContext, old, cancellationToken);
        await _stable.SetAsync(context.Environment.Name, context.Service.Name, stable, r => Serve(r, context, port, previous.Release.Version), cancellationToken);
        return $"{previous.Release.Version} was not running and was started again as pid {pid}";
    }

    public async Task<StepResult> VerifyRestoreAsync(TargetContext context, CancellationToken cancellationToken)
    {
        var previous = context.Previous!.Value;
        var process = Instance(previous.Deployment.Id);
        var health = HealthUrl(context with { Deployment = previous.Deployment, Release = previous.Release, Previous = null }, ReadPort(process));
        var status = process.Status();
        if (status.State != ProcessState.Running)
        {
            return StepResult.Fail($"{previous.Release.Version} is not running ({status.State}{(status.ExitCode is { } code ? $", exit code {code}" : "")})", process.Tail(OutputTailLines));
        }
        var answer = await ProbeAsync(health, cancellationToken);
        if (answer.Healthy)
        {
            return StepResult.Done($"GET {health} answered {answer.Description}");
        }
        if (time.GetUtcNow() - context.Deployment.UpdatedAt > context.Service.VerifyTimeout)
        {
            return StepResult.Fail($"{previous.Release.Version} did not become healthy again within {DurationText.Format(context.Service.VerifyTimeout)}; last answer: {answer.Description}");
        }
        return StepResult.Wait(TimeSpan.FromMilliseconds(50));
    }

    public async Task<string?> AdoptAsync(TargetContext context, CancellationToken cancellationToken)
    {
        var process = Instance(context.Deployment.Id);
        // Still the current release (the crash came before its successor was recorded as succeeded): it serves on.
        File.Delete(RetireMarker(process));
        if (process.HasStarted)
        {
            // Releases started by an earlier version did not say where they run; `onward local stop --env` looks for it.
            await LocalShutdown.WriteWhereAsync(process.Directory, context.Service.Name, context.Environment.Name, cancellationToken);
        }
        var status = process.Status();
        if (status.State != ProcessState.Running && _stable.StoppedOnPurpose(context.Environment.Name))
        {
            return $"{context.Release.Version} is not running: {context.Environment.Name} was stopped with `onward local stop`; its next deployment starts it again";
        }
        var stable = await StablePortAsync(context.Service, context.Environment, cancellationToken);
        if (status.State == ProcessState.Running)
        {
            // A canary running beside it keeps its share (its deployment resumes it); one whose process is gone loses it.
            await _stable.SetAsync(context.Environment.Name, context.Service.Name, stable,
                r => KeepCanary(r, Serve(r, context, ReadPort(process), context.Release.Version)), cancellationToken);
            return $"re-adopted {context.Release.Version} (pid {status.Pid}) on port {stable}";
        }
        process.Reset();
        var (pid, port) = await StartAsync(context, process, cancellationToken);
        await _stable.SetAsync(context.Environment.Name, context.Service.Name, stable, r => Serve(r, context, port, context.Release.Version), cancellationToken);
        return $"{context.Release.Version} was not running ({status.State}); started it again as pid {pid}";
    }

    public async Task<IReadOnlyList<(long DeploymentId, string Note)>> StopLeftoversAsync(IReadOnlySet<long> keep, CancellationToken cancellationToken)
    {
        var stopped = new List<(long, string)>();
        var instances = Path.Combine(dataDir, "instances");
        if (!Directory.Exists(instances))
        {
            return stopped;
        }
        foreach (var directory in Directory.EnumerateDirectories(instances))
        {
            if (!long.TryParse(Path.GetFileName(directory), out var id) || keep.Contains(id))
            {
                continue;
            }
            var process = new DetachedProcess(directory);
            if (process.Status() is not { State: ProcessState.Running, Pid: var pid })
            {
                continue;
            }
            var why = File.Exists(RetireMarker(process)) ? "it was being retired when the server stopped" : "its deployment is neither current nor in progress";
            await DropCanaryAsync(ReadPort(process), cancellationToken);
            await process.StopAsync(StopGrace, cancellationToken);
            var note = $"stopped the leftover release process (pid {pid}, port {ReadPort(process)}): {why}";
            logger.LogInformation("Deployment {Id}: {Note}", id, note);
            stopped.Add((id, note));
        }
        return stopped;
    }

    private static string RetireMarker(DetachedProcess process) => Path.Combine(process.Directory, "retire");

    public ValueTask DisposeAsync()
    {
        // The forwarders go on serving the stable ports: the next server finds them.
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private DetachedProcess Instance(long deploymentId) =>
        new(Path.Combine(dataDir, "instances", deploymentId.ToString()));

    private static int ReadPort(DetachedProcess process)
    {
        var file = Path.Combine(process.Directory, "port");
        return File.Exists(file) && int.TryParse(File.ReadAllText(file), out var port) ? port : 0;
    }

    private async Task<(int Pid, int Port)> StartAsync(TargetContext context, DetachedProcess process, CancellationToken cancellationToken)
    {
        var local = context.Service.Deploy.Local
            ?? throw new PermanentFailureException($"service {context.Service.Name} has no `deploy.local` settings");
        Directory.CreateDirectory(process.Directory);
        var port = PortAllocator.Next();
        var (artifact, command, workingDirectory, imageEnvironment) = await LaunchAsync(context, local, port, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(process.Directory, "port"), port.ToString(), cancellationToken);
        await LocalShutdown.WriteWhereAsync(process.Directory, context.Service.Name, context.Environment.Name, cancellationToken);
        await File.AppendAllTextAsync(process.OutputFile,
            $"--- onward: starting {context.Service.Name} {context.Release.Version} in {context.Environment.Name} on port {port}: {command.Shown}\n",
            cancellationToken);
        var environment = new Dictionary<string, string>(imageEnvironment);
        foreach (var (name, value) in command.Environment)
        {
            environment[name] = value;
        }
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(),
            ["ONWARD_ARTIFACT"] = artifact,
            ["ONWARD_VERSION"] = context.Release.Version,
            ["ONWARD_COMMIT"] = context.Release.Commit,
            ["ONWARD_ENVIRONMENT"] = context.Environment.Name,
            ["ONWARD_SERVICE"] = context.Service.Name,
        })
        {
            environment[name] = value;
        }
        // A release that exits while it is being verified fails its deployment at once, not at the next look.
        var pid = await process.StartAsync(command.Command, workingDirectory, environment, cancellationToken, () => jobs?.Wake(JobKind.Deploy, context.Deployment.Id));
        return (pid, port);
    }

    /// <summary>
    /// What to run: the configured command in the artifact; or, for an image release, the unpacked image's own
    /// entrypoint and command (or the configured command with <c>{artifact}</c> as the image's root), in its working
    /// directory, with its environment. Absolute paths of the image are mapped into its root, since nothing is chrooted.
    /// </summary>
    private async Task<(string Artifact, ShellCommand Command, string WorkingDirectory, IReadOnlyDictionary<string, string> Environment)> LaunchAsync(
        TargetContext context, LocalDeployConfig local, int port, CancellationToken cancellationToken)
    {
        if (context.Release.Image is { } repository && context.Release.Digest is { } digest)
        {
            var image = await images.UnpackAsync(repository, digest, cancellationToken);
            var values = Values(context, port, image.RootFs);
            var argv = image.Config.Entrypoint.Concat(image.Config.Cmd).ToList();
            ShellCommand command;
            if (local.Command is not null)
            {
                command = Placeholders.FillShell(local.Command, values);
            }
            else if (argv.Count == 0)
            {
                throw new PermanentFailureException($"image {context.Release.ImageReference} has neither an entrypoint nor a command; set `deploy.local.command`");
            }
            else
            {
                argv[0] = argv[0].StartsWith('/') ? image.RootFs + argv[0] : argv[0];
                var exec = "exec " + string.Join(' ', argv.Select(Placeholders.QuoteWord));
                command = new ShellCommand(exec, new Dictionary<string, string>(), exec);
            }
            var environment = new Dictionary<string, string>();
            foreach (var entry in image.Config.Env)
            {
                var equals = entry.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    continue;
                }
                var (key, value) = (entry[..equals], entry[(equals + 1)..]);
                environment[key] = key == "PATH"
                    ? string.Join(':', value.Split(':').Select(p => p.StartsWith('/') ? image.RootFs + p : p).Append(Environment.GetEnvironmentVariable("PATH") ?? ""))
                    : value;
            }
            var workingDirectory = image.Config.WorkingDir is { } dir ? image.RootFs + (dir.StartsWith('/') ? dir : "/" + dir) : image.RootFs;
            Directory.CreateDirectory(workingDirectory);
            return (image.RootFs, command, workingDirectory, environment);
        }
        var artifact = context.Release.Artifact ?? throw new PermanentFailureException($"release {context.Release.Version} has no artifact");
        var template = local.Command ?? throw new PermanentFailureException($"service {context.Service.Name} has no `deploy.local.command`");
        return (artifact, Placeholders.FillShell(template, Values(context, port, artifact)), artifact, new Dictionary<string, string>());
    }

    private static Dictionary<string, string> Values(TargetContext context, int port, string? artifact = null) => new()
    {
        ["artifact"] = artifact ?? context.Release.Artifact ?? "",
        ["port"] = port.ToString(),
        ["version"] = context.Release.Version,
        ["commit"] = context.Release.Commit,
        ["environment"] = context.Environment.Name,
    };

    private static string HealthUrl(TargetContext context, int port) =>
        Placeholders.FillUrl(context.Service.Deploy.Local!.HealthUrl, Values(context, port));

    private async Task<(bool Healthy, string Description)> ProbeAsync(string url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return (true, $"{code} {response.ReasonPhrase}");
            }
            // What an unhealthy release says about itself is the quickest clue: the first line of its answer, short.
            var said = await ShortBodyAsync(response, cancellationToken);
            return (false, $"{code} {response.ReasonPhrase}" + (said.Length > 0 ? $": \"{said}\"" : ""));
        }
        catch (HttpRequestException e)
        {
            return (false, e.InnerException is SocketException s ? $"connection failed ({s.SocketErrorCode})" : e.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, "no answer within 2s");
        }
    }

    private static async Task<string> ShortBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        const int Most = 80;
        var buffer = new byte[512];
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var read = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        var line = new string(Encoding.UTF8.GetString(buffer, 0, read).Split('\n', 2)[0].Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        return line.Length <= Most ? line : line[..(Most - 1)] + "…";
    }

    private static string Diagnosis(TargetContext context, DetachedProcess process, string health, string how)
    {
        var text = new StringBuilder()
            .Append("release:       ").Append(context.Service.Name).Append(' ').Append(context.Release.Version).Append(" (").Append(context.Release.Commit).Append(")\n")
            .Append("environment:   ").Append(context.Environment.Name).Append('\n')
            .Append("process:       ").Append(how).Append('\n')
            .Append("waited for:    GET ").Append(health).Append(" to answer 2xx\n")
            .Append("output:        ").Append(process.OutputFile).Append('\n')
            .Append("last ").Append(OutputTailLines).Append(" lines of output:\n")
            .Append(process.Tail(OutputTailLines));
        return text.ToString();
    }

    private static string SignalName(int? exitCode) => exitCode switch
    {
        137 => " (killed: SIGKILL, often out of memory)",
        143 => " (terminated: SIGTERM)",
        139 => " (segmentation fault)",
        134 => " (aborted)",
        _ => "",
    };

    /// <summary>The stable port of a service in an environment: configured, or assigned once and kept (remembered here after the first look).</summary>
    private async Task<int> StablePortAsync(ServiceConfig service, EnvironmentConfig environment, CancellationToken cancellationToken)
    {
        if (environment.Target.Local?.Ports.TryGetValue(service.Name, out var configured) == true)
        {
            return _knownPorts[(service.Name, environment.Name)] = configured;
        }
        if (_assigned.TryGetValue((service.Name, environment.Name), out var assigned))
        {
            return assigned;
        }
        var port = await ports.GetOrAssignAsync(service.Name, environment.Name, PortAllocator.Next(), cancellationToken)
            ?? throw new InvalidOperationException($"no port could be assigned to {service.Name} in {environment.Name}");
        return _knownPorts[(service.Name, environment.Name)] = _assigned[(service.Name, environment.Name)] = port;
    }

    /// <summary>Opens the stable port of a service in an environment, relaying where it did; once open, the next call costs nothing.</summary>
    private async Task<int> ListenAsync(ServiceConfig service, EnvironmentConfig environment, CancellationToken cancellationToken)
    {
        var port = await StablePortAsync(service, environment, cancellationToken);
        if (!_open.ContainsKey((service.Name, environment.Name, port)))
        {
            var http = HttpMode(service, environment);
            await _stable.SetAsync(environment.Name, service.Name, port, r => http ? r with { Http = true } : Plain(r), cancellationToken);
            _open[(service.Name, environment.Name, port)] = true;
        }
        return port;
    }
}
