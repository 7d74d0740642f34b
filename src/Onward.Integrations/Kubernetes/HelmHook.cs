using System.Globalization;
using System.Text.Json.Nodes;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// A chart's object annotated <c>helm.sh/hook</c> (https://helm.sh/docs/topics/charts_hooks/): applied at its events
/// instead of with the release. Onward runs <c>pre-install</c>/<c>pre-upgrade</c> hooks before the release's objects
/// and <c>post-install</c>/<c>post-upgrade</c> hooks once it is verified, in weight order (then kind, then name),
/// waiting for Jobs and Pods to finish; install means the environment has no earlier deployment of the service.
/// Delete, rollback and test hooks are not run. Delete policies: <c>before-hook-creation</c> (Helm's default when
/// none is given), <c>hook-succeeded</c>, <c>hook-failed</c>.
/// </summary>
public sealed record HelmHook(IReadOnlyList<string> Events, int Weight, IReadOnlySet<string> DeletePolicies)
{
    public const string Annotation = "helm.sh/hook";
    public const string BeforeCreation = "before-hook-creation";
    public const string Succeeded = "hook-succeeded";
    public const string Failed = "hook-failed";

    /// <summary>The events Onward runs hooks at.</summary>
    private static readonly string[] Run = ["pre-install", "pre-upgrade", "post-install", "post-upgrade"];

    /// <summary>The object's hook, or null when it is an ordinary object (Helm 2's <c>crd-install</c> counts as one: its CRD is applied first anyway).</summary>
    public static HelmHook? Of(JsonObject body)
    {
        var annotations = body["metadata"]?["annotations"] as JsonObject;
        if ((annotations?[Annotation] as JsonValue)?.ToString() is not { } text)
        {
            return null;
        }
        var events = Split(text);
        if (events.Count == 0 || events.All(e => e == "crd-install"))
        {
            return null;
        }
        var weight = int.TryParse((annotations?["helm.sh/hook-weight"] as JsonValue)?.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var w) ? w : 0;
        var policies = Split((annotations?["helm.sh/hook-delete-policy"] as JsonValue)?.ToString() ?? "").ToHashSet(StringComparer.Ordinal);
        return new HelmHook(events, weight, policies.Count == 0 ? new HashSet<string>(StringComparer.Ordinal) { BeforeCreation } : policies);
    }

    /// <summary>Only test hooks: left out of what is rendered, as <c>helm install</c> leaves them for <c>helm test</c>.</summary>
    public bool IsTest => Events.All(e => e.StartsWith("test", StringComparison.Ordinal));

    /// <summary>The event this hook runs at before (<paramref name="pre"/>) or after the release, on an install or an upgrade; null when it does not.</summary>
    public string? RunsAt(bool install, bool pre)
    {
        var wanted = $"{(pre ? "pre" : "post")}-{(install ? "install" : "upgrade")}";
        return Events.Contains(wanted) ? wanted : null;
    }

    /// <summary>Events of this hook that Onward never runs (delete, rollback, test), to say so.</summary>
    public IReadOnlyList<string> NotRun => Events.Where(e => !Run.Contains(e) && !e.StartsWith("test", StringComparison.Ordinal) && e != "crd-install").ToList();

    /// <summary>Hooks in the order Helm runs them: by weight, then kind, then name.</summary>
    public static IEnumerable<RenderedObject> InOrder(IEnumerable<(RenderedObject Item, HelmHook Hook)> hooks) =>
        hooks.OrderBy(h => h.Hook.Weight).ThenBy(h => ApplyOrder.Rank(h.Item.Kind)).ThenBy(h => h.Item.Name, StringComparer.Ordinal).Select(h => h.Item);

    private static List<string> Split(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
