namespace Onward.Core.Insight;

/// <summary>
/// What Core measures as it works (the port: Server records them in the Prometheus text format at <c>/metrics</c>).
/// Never a reason to fail: an implementation swallows its own errors.
/// </summary>
public interface IOnwardMetrics
{
    /// <summary>A build ended (<paramref name="outcome"/>: built or failed), <paramref name="duration"/> after it started.</summary>
    void BuildEnded(string service, string outcome, TimeSpan duration);

    /// <summary>A deployment ended (succeeded or failed), <paramref name="duration"/> after it started to apply.</summary>
    void DeploymentEnded(string service, string environment, string outcome, TimeSpan duration);

    /// <summary>A deployment was verified <paramref name="sinceCommit"/> after its release's commit.</summary>
    void CommitVerified(string service, string environment, TimeSpan sinceCommit);
}
