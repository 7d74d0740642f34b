using Onward.Core.Configuration;
using Onward.Core.Releases;
using Onward.Core.Sources;

namespace Onward.Core.Webhooks;

/// <summary>
/// Decides at once, without git, whether a push builds (rule 1 of docs/ARCHITECTURE.md with each service's patterns) and why, so that
/// the answer to the provider and the delivery log can say it.
/// </summary>
public static class DeliveryClassifier
{
    public sealed record Decision(DeliveryAction Action, string Reason, IReadOnlyList<ServiceConfig> Services);

    public static Decision Classify(OnwardConfig config, PushEvent push)
    {
        var services = config.Services.Where(s => RepositoryMatcher.Matches(s.Repository.Url, push.Repositories)).ToList();
        if (services.Count == 0)
        {
            return new Decision(DeliveryAction.Ignore,
                $"no service uses the repository {push.Repositories.FirstOrDefault() ?? "(none named)"}", []);
        }
        if (push.Changes.Count == 0)
        {
            return new Decision(DeliveryAction.Ignore, "the push changed no refs", services);
        }
        var builds = new List<string>();
        var ignored = new List<string>();
        foreach (var change in push.Changes)
        {
            if (change.Deleted || change.Commit is null)
            {
                ignored.Add($"{Describe(change)} was deleted; deletions are ignored");
                continue;
            }
            foreach (var service in services)
            {
                if (service.Build.External is not null)
                {
                    ignored.Add($"{service.Name}: built by an external CI, which registers its images with Onward");
                    continue;
                }
                var (release, reason) = RefClassifier.Classify(service, new RefHead(change.Name, change.Kind, change.Commit));
                (release is null ? ignored : builds).Add(release is null ? $"{service.Name}: {reason}" : $"{service.Name}: {reason} builds {release.Version}");
            }
        }
        return builds.Count > 0
            ? new Decision(DeliveryAction.Build, string.Join("; ", builds.Concat(ignored)), services)
            : new Decision(DeliveryAction.Ignore, string.Join("; ", ignored), services);
    }

    private static string Describe(RefChange change) =>
        $"{(change.Kind == RefKind.Tag ? "tag" : "branch")} '{change.Name}'";
}
