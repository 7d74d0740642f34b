using Microsoft.Extensions.Logging.Abstractions;

namespace Onward.Integrations.LocalProcesses;

/// <summary>
/// Stops what the local target runs, on purpose: the release processes of an environment (or of all) and the
/// forwarder of its stable ports. A server started later does not start them again; the environment's next deployment
/// does.
/// </summary>
public static class LocalShutdown
{
    /// <summary>The file in a release process's folder naming its service and environment.</summary>
    public const string WhereFile = "where";

    /// <summary>What was stopped: release processes and forwarders.</summary>
    public sealed record Stopped(int Releases, int Forwarders);

    /// <param name="environments">The environments to stop; every one the data folder holds when null.</param>
    /// <param name="configured">With every one: the local environments of the configuration too, marked stopped even where no forwarder ran yet.</param>
    public static async Task<Stopped> StopAsync(string dataDir, IReadOnlyCollection<string>? environments, CancellationToken cancellationToken, IEnumerable<string>? configured = null)
    {
        var releases = 0;
        var instances = Path.Combine(dataDir, "instances");
        if (Directory.Exists(instances))
        {
            foreach (var directory in Directory.EnumerateDirectories(instances))
            {
                if (environments is not null && (EnvironmentOf(directory) is not { } environment || !environments.Contains(environment)))
                {
                    continue;
                }
                var process = new DetachedProcess(directory);
                if (process.Status().State != ProcessState.Running)
                {
                    continue;
                }
                await process.StopAsync(TimeSpan.FromSeconds(5), cancellationToken);
                releases++;
            }
        }
        var forwarders = 0;
        var stablePorts = new StablePorts(dataDir, NullLogger.Instance);
        foreach (var environment in environments ?? ForwarderEnvironments(dataDir).Union(configured ?? []).ToList())
        {
            if (await stablePorts.StopAsync(environment, cancellationToken))
            {
                forwarders++;
            }
        }
        return new Stopped(releases, forwarders);
    }

    /// <summary>The environments that have (or had) a forwarder in the data folder, configured now or not.</summary>
    public static IReadOnlyList<string> ForwarderEnvironments(string dataDir)
    {
        var folder = Path.Combine(dataDir, "forwarders");
        return Directory.Exists(folder) ? Directory.GetDirectories(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList() : [];
    }

    /// <summary>Says in a release process's folder which service and environment it runs for.</summary>
    public static Task WriteWhereAsync(string instance, string service, string environment, CancellationToken cancellationToken) =>
        File.WriteAllTextAsync(Path.Combine(instance, WhereFile), $"{service} {environment}", cancellationToken);

    private static string? EnvironmentOf(string instance)
    {
        try
        {
            return File.ReadAllText(Path.Combine(instance, WhereFile)).Split(' ') is [_, var environment] ? environment : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
