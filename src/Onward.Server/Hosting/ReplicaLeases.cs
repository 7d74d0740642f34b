using Onward.Core.Configuration;
using Onward.Core.Pipeline;
using Onward.Storage.Database;

namespace Onward.Server.Hosting;

/// <summary>
/// What this replica may do among several sharing a PostgreSQL database: poll a repository (one replica at a time per
/// service) and run the local target (one replica at a time, on one host). With SQLite there is one process, and it
/// does everything.
/// </summary>
public sealed class ReplicaLeases(OnwardConfig config, OnwardDatabase database, ILeaseStore leases, ServerIdentity identity, TimeProvider time)
{
    /// <summary>The lease of the replica that runs the local target's processes and stable ports.</summary>
    public const string Local = "local";

    /// <summary>How long the local lease lasts without renewal: another replica takes over within about this long.</summary>
    public static readonly TimeSpan LocalLease = TimeSpan.FromSeconds(5);

    private readonly string[] _localEnvironments = config.Environments.Where(e => e.Target.Local is not null).Select(e => e.Name).ToArray();
    private volatile bool _holdsLocal;

    public bool Shared => database is PostgresDatabase;

    public string Owner => identity.Name;

    /// <summary>Whether the local target is this replica's to run (always, with SQLite or without local environments).</summary>
    public bool HoldsLocal => !Shared || _localEnvironments.Length == 0 || _holdsLocal;

    /// <summary>Environments whose deployments this replica leaves to the one running the local target.</summary>
    public IReadOnlyCollection<string> SkipEnvironments => HoldsLocal ? [] : _localEnvironments;

    public bool NeedsLocalLease => Shared && _localEnvironments.Length > 0;

    /// <summary>Takes or renews the local lease; true while this replica holds it.</summary>
    public async Task<bool> HoldLocalAsync(CancellationToken cancellationToken)
    {
        _holdsLocal = await leases.TryHoldAsync(Local, Owner, time.GetUtcNow(), LocalLease, cancellationToken);
        return _holdsLocal;
    }

    public async Task ReleaseLocalAsync(CancellationToken cancellationToken)
    {
        if (_holdsLocal)
        {
            _holdsLocal = false;
            await leases.ReleaseAsync(Local, Owner, cancellationToken);
        }
    }

    /// <summary>
    /// Whether this replica polls <paramref name="service"/> this round: it holds the service's poll lease for a few of
    /// its intervals, so that a replica that died hands polling over soon.
    /// </summary>
    public async Task<bool> MayPollAsync(ServiceConfig service, CancellationToken cancellationToken) =>
        !Shared || await leases.TryHoldAsync("poll:" + service.Name, Owner, time.GetUtcNow(), TimeSpan.FromTicks(Math.Max(service.Poll.Ticks * 3, TimeSpan.FromSeconds(10).Ticks)), cancellationToken);

    /// <summary>
    /// Local environments run on one host: with a replica on another host holding them, this one refuses to start.
    /// </summary>
    public async Task CheckHostAsync(CancellationToken cancellationToken)
    {
        if (!NeedsLocalLease || await leases.HolderAsync(Local, time.GetUtcNow(), cancellationToken) is not { } holder)
        {
            return;
        }
        var host = holder.Split(':')[0];
        if (host != Environment.MachineName)
        {
            throw new ServerStartException(
                $"a replica on host {host} runs the local environments ({string.Join(", ", _localEnvironments)}); replicas with `local` environments run on one host, since their processes and stable ports live there. Start this replica on {host}, or give it only Kubernetes environments");
        }
    }
}
