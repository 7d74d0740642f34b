using Onward.Core.Configuration;
using Onward.Core.Pipeline;
using Onward.Storage.Database;

namespace Onward.Server.Hosting;

/// <summary>
/// What this replica may do among several sharing a PostgreSQL database: poll a repository (one replica at a time per
/// service), run the local target (one replica at a time, on one host) and watch each Kubernetes cluster (one replica
/// at a time per cluster). A replica deploys to an environment only while it holds the lease on the environment's
/// target, so that one set of watches per cluster serves verification and drift detection alike. With SQLite there is
/// one process, and it does everything.
/// </summary>
public sealed class ReplicaLeases
{
    /// <summary>The lease of the replica that runs the local target's processes and stable ports.</summary>
    public const string Local = "local";

    /// <summary>How long a target's lease lasts without renewal: another replica takes over within about this long.</summary>
    public static readonly TimeSpan TargetLease = TimeSpan.FromSeconds(5);

    private readonly OnwardDatabase _database;
    private readonly ILeaseStore _leases;
    private readonly ServerIdentity _identity;
    private readonly TimeProvider _time;

    private readonly ConfigSource _configuration;
    private volatile IReadOnlySet<string> _held = new HashSet<string>();
    private volatile bool _localTakenOver;

    public ReplicaLeases(ConfigSource configuration, OnwardDatabase database, ILeaseStore leases, ServerIdentity identity, TimeProvider time) =>
        (_configuration, _database, _leases, _identity, _time) = (configuration, database, leases, identity, time);

    /// <summary>Each environment run by one replica at a time, with the name of its target's lease, as the configuration in force says.</summary>
    // A preview being destroyed stays with the replica that runs its target until it is gone.
    private Dictionary<string, string> LeaseOf => _configuration.Current.AllEnvironments.Concat(_configuration.Current.PreviewsEnding)
        .Where(e => e.Target.Local is not null || e.Target.Kubernetes is not null)
        .ToDictionary(e => e.Name, e => e.Target.Kubernetes is { } cluster ? ClusterLease(cluster) : Local, StringComparer.Ordinal);

    private string[] LocalEnvironments => LeaseOf.Where(p => p.Value == Local).Select(p => p.Key).ToArray();

    public bool Shared => _database is PostgresDatabase;

    public string Owner => _identity.Name;

    /// <summary>Whether the local target is this replica's to run (always, with SQLite or without local environments).</summary>
    public bool HoldsLocal => Holds(Local);

    /// <summary>
    /// Environments whose deployments this replica leaves to the replica holding their target, and the local ones while
    /// this replica holds their lease but has not taken them over yet (their stable ports still held by the replica
    /// that had them).
    /// </summary>
    public IReadOnlyCollection<string> SkipEnvironments
    {
        get
        {
            if (!Shared)
            {
                return [];
            }
            var held = _held;
            var local = _localTakenOver;
            return LeaseOf.Where(p => !held.Contains(p.Value) || (p.Value == Local && !local)).Select(p => p.Key).ToArray();
        }
    }

    /// <summary>Whether this replica has taken over the local environments it holds the lease of: their ports open, their processes adopted.</summary>
    public bool LocalTakenOver
    {
        get => _localTakenOver;
        set => _localTakenOver = value;
    }

    public bool NeedsLocalLease => Shared && LocalEnvironments.Length > 0;

    /// <summary>The name of the lease on the cluster of a Kubernetes environment.</summary>
    public static string ClusterLease(KubernetesTargetConfig cluster) => "cluster:" + cluster.ClusterKey;

    /// <summary>Whether this replica holds <paramref name="lease"/>, or needs no lease for it.</summary>
    public bool Holds(string lease) => !Shared || !LeaseOf.ContainsValue(lease) || _held.Contains(lease);

    /// <summary>The environments whose target is <paramref name="lease"/>.</summary>
    public IReadOnlyList<string> EnvironmentsOf(string lease) => LeaseOf.Where(p => p.Value == lease).Select(p => p.Key).ToArray();

    /// <summary>
    /// Takes or renews the lease of every target with environments (one database round trip each); answers what this
    /// replica has gained and lost since the last call.
    /// </summary>
    public async Task<(IReadOnlyList<string> Gained, IReadOnlyList<string> Lost)> HoldAsync(CancellationToken cancellationToken)
    {
        var before = _held;
        var now = new HashSet<string>(StringComparer.Ordinal);
        foreach (var lease in LeaseOf.Values.Distinct())
        {
            // A database that does not answer throws here and changes nothing: the leases run out on their own, and
            // until another replica takes them this one keeps serving what it runs.
            if (await _leases.TryHoldAsync(lease, Owner, _time.GetUtcNow(), TargetLease, cancellationToken))
            {
                now.Add(lease);
            }
        }
        _held = now;
        return ([.. now.Except(before)], [.. before.Except(now)]);
    }

    /// <summary>Gives up every target lease (a replica stopping), so that another replica takes over without waiting.</summary>
    public async Task ReleaseAllAsync(CancellationToken cancellationToken)
    {
        var held = _held;
        _held = new HashSet<string>();
        foreach (var lease in held)
        {
            await _leases.ReleaseAsync(lease, Owner, cancellationToken);
        }
    }

    /// <summary>
    /// Whether this replica polls <paramref name="service"/> this round: it holds the service's poll lease for a few of
    /// its intervals, so that a replica that died hands polling over soon.
    /// </summary>
    public async Task<bool> MayPollAsync(ServiceConfig service, CancellationToken cancellationToken) =>
        !Shared || await _leases.TryHoldAsync("poll:" + service.Name, Owner, _time.GetUtcNow(), TimeSpan.FromTicks(Math.Max(service.Poll.Ticks * 3, TimeSpan.FromSeconds(10).Ticks)), cancellationToken);

    /// <summary>
    /// Local environments run on one host: with a replica on another host holding them, this one refuses to start.
    /// </summary>
    public async Task CheckHostAsync(CancellationToken cancellationToken)
    {
        if (!NeedsLocalLease || await _leases.HolderAsync(Local, _time.GetUtcNow(), cancellationToken) is not { } holder)
        {
            return;
        }
        var host = holder.Split(':')[0];
        if (host != Environment.MachineName)
        {
            throw new ServerStartException(
                $"a replica on host {host} runs the local environments ({string.Join(", ", LocalEnvironments)}); replicas with `local` environments run on one host, since their processes and stable ports live there. Start this replica on {host}, or give it only Kubernetes environments");
        }
    }
}
