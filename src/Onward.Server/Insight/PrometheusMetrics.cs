using Onward.Core.Insight;

namespace Onward.Server.Insight;

/// <summary>Core's measurements as Prometheus histograms in <see cref="OnwardMetrics"/>.</summary>
public sealed class PrometheusMetrics : IOnwardMetrics
{
    public void BuildEnded(string service, string outcome, TimeSpan duration) =>
        OnwardMetrics.BuildSeconds.WithLabels(service, outcome).Observe(duration.TotalSeconds);

    public void DeploymentEnded(string service, string environment, string outcome, TimeSpan duration) =>
        OnwardMetrics.DeploymentSeconds.WithLabels(service, environment, outcome).Observe(duration.TotalSeconds);

    public void CommitVerified(string service, string environment, TimeSpan sinceCommit) =>
        OnwardMetrics.CommitToVerifiedSeconds.WithLabels(service, environment).Observe(Math.Max(0, sinceCommit.TotalSeconds));
}
