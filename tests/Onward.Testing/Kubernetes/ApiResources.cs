using System.Text.Json.Nodes;

namespace Onward.Testing.Kubernetes;

/// <summary>
/// The resource types one test API server serves: the built-in ones, and those of every CustomResourceDefinition once
/// it is Established. Answers discovery as the real API server does
/// (https://kubernetes.io/docs/concepts/overview/kubernetes-api/#discovery-api): <c>/api</c>, <c>/apis</c> and an
/// APIResourceList per group-version. Versions of one group and resource share one stored object, as with
/// <c>autoscaling/v1</c> and <c>autoscaling/v2</c>.
/// </summary>
public sealed class ApiResources
{
    private static readonly string[] AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    private static readonly Dictionary<string, string[]> ShortNames = new(StringComparer.Ordinal)
    {
        ["namespaces"] = ["ns"],
        ["pods"] = ["po"],
        ["services"] = ["svc"],
        ["configmaps"] = ["cm"],
        ["serviceaccounts"] = ["sa"],
        ["persistentvolumeclaims"] = ["pvc"],
        ["deployments"] = ["deploy"],
        ["replicasets"] = ["rs"],
        ["statefulsets"] = ["sts"],
        ["daemonsets"] = ["ds"],
        ["cronjobs"] = ["cj"],
        ["horizontalpodautoscalers"] = ["hpa"],
        ["poddisruptionbudgets"] = ["pdb"],
        ["ingresses"] = ["ing"],
        ["networkpolicies"] = ["netpol"],
        ["customresourcedefinitions"] = ["crd", "crds"],
    };

    private readonly object _gate = new();
    private readonly List<ResourceType> _types = [.. ResourceType.Known];

    /// <summary>The type served at <paramref name="group"/>/<paramref name="version"/>/<paramref name="plural"/>, if any.</summary>
    public ResourceType? Find(string group, string version, string plural)
    {
        lock (_gate)
        {
            return _types.FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == plural);
        }
    }

    /// <summary>The type of an object body by its <c>apiVersion</c> and <c>kind</c>.</summary>
    public ResourceType? FindKind(string apiVersion, string kind)
    {
        lock (_gate)
        {
            return _types.FirstOrDefault(t => t.ApiVersion == apiVersion && t.Kind == kind);
        }
    }

    /// <summary>The type objects of <paramref name="type"/> are stored as: the first served version of its group and resource.</summary>
    public ResourceType Storage(ResourceType type)
    {
        lock (_gate)
        {
            return _types.FirstOrDefault(t => t.Group == type.Group && t.Plural == type.Plural) ?? type;
        }
    }

    /// <summary>Every stored type (one per group and resource).</summary>
    public IReadOnlyList<ResourceType> StorageTypes()
    {
        lock (_gate)
        {
            return _types.GroupBy(t => (t.Group, t.Plural)).Select(g => g.First()).ToList();
        }
    }

    /// <summary>Serves <paramref name="types"/> (a CRD's versions, storage version first), replacing what the group and resource served before.</summary>
    public void Serve(IReadOnlyList<ResourceType> types)
    {
        lock (_gate)
        {
            foreach (var (group, plural) in types.Select(t => (t.Group, t.Plural)).Distinct())
            {
                _types.RemoveAll(t => t.Group == group && t.Plural == plural);
            }
            _types.AddRange(types);
        }
    }

    /// <summary>Stops serving a group's resource (its CRD was deleted).</summary>
    public void Withdraw(string group, string plural)
    {
        lock (_gate)
        {
            _types.RemoveAll(t => t.Group == group && t.Plural == plural);
        }
    }

    /// <summary><c>GET /api</c>.</summary>
    public static JsonObject CoreVersions() => new() { ["kind"] = "APIVersions", ["versions"] = new JsonArray("v1"), ["serverAddressByClientCIDRs"] = new JsonArray() };

    /// <summary><c>GET /apis</c>: every named group with its versions, the preferred one first.</summary>
    public JsonObject GroupList()
    {
        lock (_gate)
        {
            var groups = _types.Where(t => t.Group.Length > 0).GroupBy(t => t.Group).Select(g =>
            {
                var versions = g.Select(t => t.Version).Distinct().OrderByDescending(VersionPriority).ToList();
                JsonObject Version(string v) => new() { ["groupVersion"] = $"{g.Key}/{v}", ["version"] = v };
                return (JsonNode)new JsonObject
                {
                    ["name"] = g.Key,
                    ["versions"] = new JsonArray(versions.Select(v => (JsonNode)Version(v)).ToArray()),
                    ["preferredVersion"] = Version(versions[0]),
                };
            });
            return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = new JsonArray(groups.ToArray()) };
        }
    }

    /// <summary><c>GET /apis/GROUP</c>, or null when the group is not served.</summary>
    public JsonObject? Group(string group)
    {
        var list = GroupList()["groups"]!.AsArray().FirstOrDefault(g => g!["name"]!.GetValue<string>() == group);
        return list is null ? null : new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = list["versions"]!.DeepClone(),
            ["preferredVersion"] = list["preferredVersion"]!.DeepClone(),
        };
    }

    /// <summary><c>GET /api/v1</c> or <c>/apis/GROUP/VERSION</c>: the resources of one group-version and their subresources; null when not served.</summary>
    public JsonObject? ResourceList(string group, string version)
    {
        lock (_gate)
        {
            var types = _types.Where(t => t.Group == group && t.Version == version).ToList();
            if (types.Count == 0)
            {
                return null;
            }
            var resources = new JsonArray();
            foreach (var type in types.OrderBy(t => t.Plural, StringComparer.Ordinal))
            {
                resources.Add(new JsonObject
                {
                    ["name"] = type.Plural,
                    ["singularName"] = type.Singular,
                    ["namespaced"] = type.Namespaced,
                    ["kind"] = type.Kind,
                    ["verbs"] = new JsonArray(AllVerbs.Select(v => (JsonNode)v).ToArray()),
                    ["shortNames"] = ResourceType.Known.Contains(type) && ShortNames.TryGetValue(type.Plural, out var shorts)
                        ? new JsonArray(shorts.Select(s => (JsonNode)s).ToArray())
                        : null,
                });
                if (type.HasStatus)
                {
                    resources.Add(new JsonObject
                    {
                        ["name"] = type.Plural + "/status",
                        ["singularName"] = "",
                        ["namespaced"] = type.Namespaced,
                        ["kind"] = type.Kind,
                        ["verbs"] = new JsonArray("get", "patch", "update"),
                    });
                }
            }
            return new JsonObject
            {
                ["kind"] = "APIResourceList",
                ["apiVersion"] = "v1",
                ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
                ["resources"] = resources,
            };
        }
    }

    /// <summary>
    /// Kubernetes' version priority (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definition-versioning/#version-priority):
    /// GA over beta over alpha, higher numbers first.
    /// </summary>
    public static long VersionPriority(string version)
    {
        var match = System.Text.RegularExpressions.Regex.Match(version, @"^v(\d+)(?:(alpha|beta)(\d+))?$");
        if (!match.Success)
        {
            return 0;
        }
        var major = long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var stage = match.Groups[2].Value switch { "" => 3, "beta" => 2, _ => 1 };
        var minor = match.Groups[3].Success ? long.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return stage * 1_000_000_000 + major * 1_000_000 + minor;
    }
}
