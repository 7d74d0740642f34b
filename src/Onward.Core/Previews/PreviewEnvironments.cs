using Onward.Core.Configuration;

namespace Onward.Core.Previews;

/// <summary>
/// Makes the environment of each live preview from its service's <c>previews</c>: the <c>from</c> environment's target
/// (Kubernetes: in the preview's own namespace; local: on the preview's port) and its way of failing, none of the
/// policies that guard a shared environment (approval, forward-only, prerequisites, freezes, canaries), and no delivery
/// of main-branch builds.
/// </summary>
public static class PreviewEnvironments
{
    public static OnwardConfig Add(OnwardConfig file, IReadOnlyList<PreviewPlace> previews)
    {
        if (previews.Count == 0)
        {
            return file.Previews.Count == 0 ? file : file with { Previews = [] };
        }
        var made = new List<EnvironmentConfig>();
        foreach (var place in previews)
        {
            if (Make(file, place) is { } environment && file.Environments.All(e => e.Name != environment.Name))
            {
                made.Add(environment);
            }
        }
        return file with { Previews = made };
    }

    /// <summary>The preview's environment; null when its service or the <c>from</c> environment is gone from onward.yaml.</summary>
    public static EnvironmentConfig? Make(OnwardConfig file, PreviewPlace place)
    {
        if (file.FindService(place.Service) is not { Previews: { } previews } || file.Environments.FirstOrDefault(e => e.Name == previews.From) is not { } from)
        {
            return null;
        }
        var target = from.Target.Kubernetes is { } kubernetes
            ? new TargetConfig(null, kubernetes with { Namespace = previews.NamespaceOf(place.Service, place.Number), CreateNamespace = true })
            : new TargetConfig(new LocalTargetConfig(place.Port is { } port ? new Dictionary<string, int> { [place.Service] = port } : new Dictionary<string, int>()), null);
        var policy = new EnvironmentPolicy(AutoDeployMode.None, [], false, null, false, from.Policy.OnFailure, []);
        return new EnvironmentConfig(PreviewConfig.EnvironmentName(place.Service, place.Number), target, policy)
        {
            At = previews.At,
            Preview = new PreviewOf(place.Service, place.Number, from.Name),
        };
    }
}
