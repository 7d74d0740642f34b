namespace Onward.Core.Previews;

/// <summary>Where a pull request's preview stands.</summary>
public enum PreviewState
{
    /// <summary>More previews of the service run than <c>max</c>: it waits for one to go, oldest first.</summary>
    Waiting,

    /// <summary>Its head commit is being fetched and built.</summary>
    Building,

    /// <summary>The build is deployed to the preview's environment and verified.</summary>
    Deploying,

    /// <summary>Verified: it answers at its URL.</summary>
    Ready,

    /// <summary>The build or the deployment failed (<see cref="Preview.Failure"/> says why); the next push tries again.</summary>
    Failed,

    /// <summary>Its pull request closed, its time ran out, or someone destroyed it: what runs is being removed.</summary>
    Destroying,

    /// <summary>Gone; only its history is left (the audit trail, its deployments).</summary>
    Destroyed,
}

/// <summary>
/// The preview of one pull request of a service: an environment of its own (<see cref="Environment"/>) running the
/// pull request's head commit. One row per pull request, used again when a destroyed one comes back with a push.
/// </summary>
public sealed record Preview(
    long Id,
    string Service,
    long Number,
    string Branch,
    string Commit,
    PreviewState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset PushedAt)
{
    public string Environment => Configuration.PreviewConfig.EnvironmentName(Service, Number);

    /// <summary>The pull request on the host (its web page), when the host said.</summary>
    public string? Link { get; init; }

    /// <summary>The ref the host keeps the pull request's head under (<c>refs/pull/N/head</c>), fetched when the branch is a fork's.</summary>
    public string? HeadRef { get; init; }

    /// <summary>The stable port of a preview on the local target, from <c>previews.ports</c>; null: any free port.</summary>
    public int? Port { get; init; }

    /// <summary>Where the preview answers, once known.</summary>
    public string? Url { get; init; }

    public string? Failure { get; init; }

    public long? ReleaseId { get; init; }

    public long? DeploymentId { get; init; }

    /// <summary>The host's id of the one comment Onward keeps on the pull request.</summary>
    public string? CommentId { get; init; }

    /// <summary>What that comment says now (it is edited only when this would change).</summary>
    public string? Said { get; init; }

    /// <summary>Why it is being (or was) destroyed.</summary>
    public string? Ending { get; init; }

    public DateTimeOffset? DestroyedAt { get; init; }

    /// <summary>
    /// Whether its environment is in the configuration: not while it waits, and no longer once it is being destroyed
    /// (nothing new may be deployed there; what is under way ends first).
    /// </summary>
    public bool HoldsEnvironment => State is not (PreviewState.Waiting or PreviewState.Destroying or PreviewState.Destroyed);

    public PreviewPlace Place => new(Service, Number, Port);
}

/// <summary>What a live preview's environment is made of: whose, which pull request, which stable port.</summary>
public sealed record PreviewPlace(string Service, long Number, int? Port);
