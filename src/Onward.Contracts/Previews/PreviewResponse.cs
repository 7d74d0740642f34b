namespace Onward.Contracts.Previews;

/// <summary>
/// A live preview of a pull request (<c>GET /api/v1/previews</c>). <see cref="State"/> is one of <c>waiting</c>,
/// <c>building</c>, <c>deploying</c>, <c>ready</c>, <c>failed</c>, <c>destroying</c>.
/// </summary>
/// <param name="ExpiresAt">When it is destroyed unless a push comes first (<c>previews.ttl</c> after the last push).</param>
public sealed record PreviewResponse(
    string Service,
    long Number,
    string Environment,
    string Branch,
    string Commit,
    string? Url,
    string State,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt)
{
    /// <summary>The pull request's page on the git host, when the host said.</summary>
    public string? Link { get; init; }

    /// <summary>When its pull request was last pushed to (or first seen).</summary>
    public DateTimeOffset PushedAt { get; init; }

    /// <summary>Why it failed (<c>failed</c>), or why it is being destroyed (<c>destroying</c>).</summary>
    public string? Reason { get; init; }

    /// <summary>Its latest deployment, whose timeline and logs are an ordinary deployment's.</summary>
    public long? DeploymentId { get; init; }
}
