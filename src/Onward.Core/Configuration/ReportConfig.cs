namespace Onward.Core.Configuration;

/// <summary>The git host a service's commit statuses go to.</summary>
public enum GitHostKind
{
    GitHub,
    GitLab,
    Gitea,
}

/// <summary>
/// <c>services.S.report</c>: where builds and deployments are reported as commit statuses (<c>onward/build</c>,
/// <c>onward/deploy/ENV</c>) and, on GitHub and GitLab, as the host's deployments. <see cref="Token"/> is a secret: it
/// is never shown.
/// </summary>
/// <param name="ApiUrl">The host's API base, e.g. <c>https://api.github.com</c>, <c>https://gitlab.example/api/v4</c>.</param>
/// <param name="Project">The repository on the host: <c>owner/name</c> (GitLab: the project's full path).</param>
public sealed record ReportConfig(GitHostKind Host, string Token, Uri ApiUrl, string Project)
{
    /// <summary>The first retry's wait (<c>backoff</c>, 30 s by default), doubling as for notifications.</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromSeconds(30);

    public static readonly string[] Hosts = ["github", "gitlab", "gitea"];

    /// <summary>Whether the host keeps deployments Onward reports (GitHub, GitLab; Gitea has statuses only).</summary>
    public bool KeepsDeployments => Host is GitHostKind.GitHub or GitHostKind.GitLab;
}
