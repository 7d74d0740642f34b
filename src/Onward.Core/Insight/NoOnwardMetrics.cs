namespace Onward.Core.Insight;

/// <summary>Measures nothing: for tools and tests that don't serve metrics.</summary>
public sealed class NoOnwardMetrics : IOnwardMetrics
{
    public static readonly NoOnwardMetrics Instance = new();

    public void BuildEnded(string service, string outcome, TimeSpan duration) { }

    public void DeploymentEnded(string service, string environment, string outcome, TimeSpan duration) { }

    public void CommitVerified(string service, string environment, TimeSpan sinceCommit) { }
}
