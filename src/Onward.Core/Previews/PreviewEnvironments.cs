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
    /// <param name="ending">Previews being destroyed: known apart, so that nothing new is deployed there.</param>
    public static OnwardConfig Add(OnwardConfig file, IReadOnlyList<PreviewPlace> previews, IReadOnlyList<PreviewPlace>? ending = null)
    {
        if (previews.Count == 0 && (ending is null || ending.Count == 0))
        {
            return file.Previews.Count == 0 && file.PreviewsEnding.Count == 0 ? file : file with { Previews = [], PreviewsEnding = [] };
        }
        List<EnvironmentConfig> Made(IEnumerable<PreviewPlace> places) =>
            places.Select(place => Make(file, place)).OfType<EnvironmentConfig>().Where(e => file.Environments.All(f => f.Name != e.Name)).ToList();
        return file with { Previews = Made(previews), PreviewsEnding = Made(ending ?? []) };
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
