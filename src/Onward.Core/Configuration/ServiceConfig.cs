using System.Text.RegularExpressions;
using Onward.Core.Sources;

namespace Onward.Core.Configuration;

public sealed record ServiceConfig(
    string Name,
    RepositoryAddress Repository,
    TimeSpan Poll,
    string? MainBranch,
    Regex VersionRefPattern,
    Regex ReleaseCandidatePattern,
    BuildConfig Build,
    DeployConfig Deploy,
    TimeSpan VerifyTimeout)
{
    /// <summary>The branches whose heads become short-hash releases: the configured one, or both <c>main</c> and <c>master</c>.</summary>
    public IReadOnlyList<string> MainBranches => MainBranch is null ? ["main", "master"] : [MainBranch];

    /// <summary>A flagd flag document in the repository, shipped with each release: it becomes the service's flags where the release is verified.</summary>
    public string? Flags { get; init; }

    /// <summary>Where builds and deployments are reported as commit statuses; null when nowhere.</summary>
    public ReportConfig? Report { get; init; }

    /// <summary>Where its name was written in onward.yaml.</summary>
    public ConfigPosition At { get; init; }

    /// <summary>The service's own <c>canary</c>: in place of its environments' (where they have one); null: theirs.</summary>
    public CanaryConfig? Canary { get; init; }

    /// <summary><c>canary: false</c>: the service never goes out as a canary.</summary>
    public bool CanaryOff { get; init; }

    /// <summary><c>previews</c>: an environment per pull request; null when the service has none.</summary>
    public PreviewConfig? Previews { get; init; }

    /// <summary>The pull request whose preview of this service <paramref name="environment"/> is, by its name; null when it is none.</summary>
    public long? PreviewNumberOf(string environment) => Previews is null ? null : PreviewConfig.NumberOf(Name, environment);

    /// <summary>The canary its releases go out with in <paramref name="environment"/>; null when none.</summary>
    public CanaryConfig? CanaryIn(EnvironmentConfig environment) =>
        CanaryOff || environment.Policy.Canary is null ? null : Canary ?? environment.Policy.Canary;
}
