namespace Onward.Core.Configuration;

/// <summary>
/// The rules that span sections: prerequisites that name known environments and form no cycle, stable ports given
/// once and to known services, and a way onto every kind of target for every service. They work on the parsed records,
/// which keep the positions they were read from.
/// </summary>
public sealed class ConfigCrossChecks(NodeReader nodes)
{
    public void Check(IReadOnlyList<EnvironmentConfig> environments, IReadOnlyList<ServiceConfig> services)
    {
        CheckRequires(environments);
        CheckRequiresCycles(environments);
        CheckLocalPorts(environments, services);
        CheckDeployMethods(environments, services);
        CheckCanaries(environments, services);
        CheckPreviews(environments, services);
    }

    /// <summary>Previews copy a known environment, with the settings of its kind of target, under names no environment has.</summary>
    private void CheckPreviews(IReadOnlyList<EnvironmentConfig> environments, IReadOnlyList<ServiceConfig> services)
    {
        foreach (var service in services)
        {
            if (service.Previews is not { } previews)
            {
                continue;
            }
            var path = $"services.{service.Name}.previews";
            var from = environments.FirstOrDefault(e => e.Name == previews.From);
            if (from is null)
            {
                nodes.Problem(previews.At, path + ".from", $"unknown environment '{previews.From}'",
                    $"use one of: {string.Join(", ", environments.Select(e => e.Name))}{NodeReader.Suggest(previews.From, environments.Select(e => e.Name))}");
                continue;
            }
            if (from.Target.Local is not null && previews.Namespace is not null)
            {
                nodes.Problem(previews.At, path + ".namespace", $"{from.Name} is a local environment; a namespace is for Kubernetes", "leave `namespace` out, or copy a Kubernetes environment");
            }
            if (from.Target.Kubernetes is not null && previews.Ports is not null)
            {
                nodes.Problem(previews.At, path + ".ports", $"{from.Name} is a Kubernetes environment; stable ports are the local target's", "leave `ports` out and give `url`, the address your ingress serves previews at");
            }
            if (previews.Ports is { } range)
            {
                if (environments.FirstOrDefault(e => e.Target.Local?.Ports.Values.Any(p => p >= range.First && p <= range.Last) == true) is { } holder)
                {
                    nodes.Problem(previews.At, path + ".ports", $"the range {range.First}-{range.Last} holds a stable port of {holder.Name}", "give previews a range of their own");
                }
                if (services.FirstOrDefault(s => s != service && s.Previews?.Ports is { } other && other.First <= range.Last && range.First <= other.Last) is { } overlapping)
                {
                    nodes.Problem(previews.At, path + ".ports", $"the range {range.First}-{range.Last} overlaps {overlapping.Name}'s previews.ports", "give each service's previews a range of their own");
                }
            }
            if (from.Target.Kubernetes is not null && services.FirstOrDefault(s => s != service && s.Previews is { } other
                && environments.FirstOrDefault(e => e.Name == other.From)?.Target.Kubernetes is not null
                && other.NamespaceOf(s.Name, 12345) == previews.NamespaceOf(service.Name, 12345)) is { } sharing)
            {
                nodes.Problem(previews.At, path + ".namespace", $"{service.Name}'s and {sharing.Name}'s previews of the same pull request number would share a namespace, and destroying one would delete the other",
                    "put {service} (or the service's name) in the `namespace` of each");
            }
            if (from.Target.Kubernetes is not null)
            {
                // A preview's namespace is deleted with the preview: it may never be an environment's.
                var pattern = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(previews.Namespace ?? "{service}-pr-{number}")
                    .Replace(@"\{service}", System.Text.RegularExpressions.Regex.Escape(service.Name), StringComparison.Ordinal)
                    .Replace(@"\{number}", "[0-9]+", StringComparison.Ordinal) + "$", System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                if (environments.FirstOrDefault(e => e.Target.Kubernetes is { } k && pattern.IsMatch(k.Namespace)) is { } taken)
                {
                    nodes.Problem(previews.At, path + ".namespace", $"a preview's namespace could be {taken.Target.Kubernetes!.Namespace}, {taken.Name}'s, which destroying the preview would delete",
                        "give previews namespaces no environment uses, e.g. `namespace: '{service}-pr-{number}'`");
                }
            }
            foreach (var clash in environments.Where(e => e.Name.StartsWith(service.Name + "-pr-", StringComparison.Ordinal) && e.Name[(service.Name.Length + 4)..].All(char.IsAsciiDigit)))
            {
                nodes.Problem(clash.At, $"environments.{clash.Name}", $"'{clash.Name}' is the name of a preview of {service.Name}'s pull requests", "rename the environment");
            }
        }
    }

    /// <summary>A canary needs an HTTP service on the local target, and a request count on Kubernetes where it counts requests.</summary>
    private void CheckCanaries(IReadOnlyList<EnvironmentConfig> environments, IReadOnlyList<ServiceConfig> services)
    {
        foreach (var environment in environments)
        {
            if (environment.Target.Local is not null && environment.Policy.Canary?.Route is not null)
            {
                nodes.Problem(environment.Policy.Canary.At, $"environments.{environment.Name}.policy.canary.kubernetes.route",
                    $"{environment.Name} is a local environment; an HTTPRoute weighs requests on Kubernetes only", "the local target splits requests itself: leave `kubernetes` out");
            }
            foreach (var service in services)
            {
                if (service.CanaryIn(environment) is not { } canary)
                {
                    continue;
                }
                var owner = service.Canary is null ? $"environments.{environment.Name}.policy.canary" : $"services.{service.Name}.canary";
                if (service.Canary is not null && environment.Policy.Approval is null && canary.Steps.Any(s => s.Approval))
                {
                    nodes.Problem(canary.At, owner + ".steps", $"a step of {service.Name}'s canary waits for approval but {environment.Name} has no `approval`",
                        $"add `approval: {{ required: 1, approvers: [release-managers] }}` to {environment.Name}'s policy, or drop `approval: true` from the step");
                }
                if (environment.Target.Local is not null && service.Deploy.Local?.Tcp == true)
                {
                    nodes.Problem(canary.At, owner, $"{service.Name} is a TCP service (`deploy.local.protocol: tcp`) in {environment.Name}, and a canary splits HTTP requests",
                        $"turn its canary off with `services.{service.Name}.canary: false`, or serve HTTP");
                }
                if (environment.Target.Kubernetes is not null && canary.Analysis.MinRequests > 0 && canary.Analysis.Requests is null)
                {
                    nodes.Problem(canary.At, owner + ".analysis.requests", $"`minRequests` needs a count of the canary's requests on Kubernetes ({service.Name} in {environment.Name})",
                        "add `requests: 'sum(increase(http_requests_total{service=\"{service}\",version=\"{version}\"}[{interval}])) or vector(0)'`");
                }
            }
        }
    }

    private void CheckRequires(IReadOnlyList<EnvironmentConfig> environments)
    {
        var names = environments.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var environment in environments)
        {
            var requires = environment.Policy.Requires;
            for (var i = 0; i < requires.Count; i++)
            {
                var path = $"environments.{environment.Name}.policy.requires[{i}]";
                var at = PositionOf(environment, i);
                if (requires[i] == environment.Name)
                {
                    nodes.Problem(at, path, $"environment '{environment.Name}' cannot require itself", "remove it from `requires`");
                }
                else if (!names.Contains(requires[i]))
                {
                    var others = names.Where(n => n != environment.Name).Order(StringComparer.Ordinal).ToList();
                    nodes.Problem(at, path, $"unknown environment '{requires[i]}'", others.Count == 0
                        ? "there are no other environments; define it under `environments` or remove it"
                        : $"use one of: {string.Join(", ", others)}{NodeReader.Suggest(requires[i], others)}");
                }
            }
        }
    }

    /// <summary>
    /// Environments that require each other in a cycle (<c>a → b → c → a</c>) can never be deployed to, since each
    /// waits for a success in the next; each is reported at its requirement that closes the cycle.
    /// </summary>
    private void CheckRequiresCycles(IReadOnlyList<EnvironmentConfig> environments)
    {
        var byName = environments.ToDictionary(e => e.Name);
        var requires = environments.ToDictionary(e => e.Name, e => e.Policy.Requires.Where(r => r != e.Name && byName.ContainsKey(r)).ToList());
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in environments.Select(e => e.Name))
        {
            if (FindCycle(start, start, requires, [start]) is not { } cycle || cycle.Any(reported.Contains))
            {
                continue;
            }
            var shown = string.Join(" → ", cycle.Append(cycle[0]));
            for (var i = 0; i < cycle.Count; i++)
            {
                var (from, to) = (byName[cycle[i]], cycle[(i + 1) % cycle.Count]);
                reported.Add(from.Name);
                var index = from.Policy.Requires.ToList().IndexOf(to);
                nodes.Problem(PositionOf(from, index), $"environments.{from.Name}.policy.requires[{index}]",
                    $"'{from.Name}' requires '{to}', which closes the cycle {shown}: none of them could ever be deployed to",
                    "remove one of these requirements; a chain of environments runs one way, e.g. dev → staging → prod");
            }
        }
    }

    private static List<string>? FindCycle(string start, string at, Dictionary<string, List<string>> requires, List<string> path)
    {
        foreach (var next in requires[at])
        {
            if (next == start)
            {
                return path;
            }
            // Each cycle is found once, from its first name in order.
            if (path.Contains(next) || string.CompareOrdinal(next, start) < 0)
            {
                continue;
            }
            if (FindCycle(start, next, requires, [.. path, next]) is { } cycle)
            {
                return cycle;
            }
        }
        return null;
    }

    private static ConfigPosition PositionOf(EnvironmentConfig environment, int requirement) =>
        requirement >= 0 && requirement < environment.Policy.RequiresAt.Count ? environment.Policy.RequiresAt[requirement] : environment.At;

    private void CheckLocalPorts(IReadOnlyList<EnvironmentConfig> environments, IReadOnlyList<ServiceConfig> services)
    {
        var serviceNames = services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var used = new Dictionary<int, string>();
        foreach (var environment in environments)
        {
            if (environment.Target.Local is not { } local)
            {
                continue;
            }
            foreach (var (service, port) in local.Ports)
            {
                var at = local.PortsAt.TryGetValue(service, out var position) ? position : environment.At;
                var path = $"environments.{environment.Name}.target.local.ports.{service}";
                if (!serviceNames.Contains(service))
                {
                    nodes.Problem(at, path, $"unknown service '{service}'",
                        $"use one of: {string.Join(", ", serviceNames.Order(StringComparer.Ordinal))}{NodeReader.Suggest(service, serviceNames)}");
                }
                if (used.TryGetValue(port, out var other))
                {
                    nodes.Problem(at, path, $"port {port} is already given to {other}", "give every service in every local environment its own port");
                }
                used.TryAdd(port, $"{service} in {environment.Name}");
            }
        }
    }

    /// <summary>Every service needs a way onto every kind of target there is: `local` settings and, for clusters, manifests.</summary>
    private void CheckDeployMethods(IReadOnlyList<EnvironmentConfig> environments, IReadOnlyList<ServiceConfig> services)
    {
        var cluster = environments.FirstOrDefault(e => e.Target.Kubernetes is not null);
        var local = environments.FirstOrDefault(e => e.Target.Local is not null);
        foreach (var service in services)
        {
            if (cluster is not null && service.Deploy.Manifests is null && service.Deploy.Render is null && service.Deploy.Helm is null)
            {
                nodes.Problem(service.At, $"services.{service.Name}.deploy", $"environment '{cluster.Name}' is a Kubernetes cluster but the service has no `manifests`",
                    "add `manifests: deploy/k8s` (a directory of YAML or a Kustomize overlay in the repository), `helm: { chart: ./chart }` or `render: { command: ... }`");
            }
            if (cluster is not null && service.Build.ImageRepository is null)
            {
                nodes.Problem(service.At, $"services.{service.Name}.build", $"environment '{cluster.Name}' is a Kubernetes cluster but the service builds no image",
                    "build with `buildah`, `docker` or `external`, which name the image repository");
            }
            if (local is not null && service.Deploy.Local is null)
            {
                nodes.Problem(service.At, $"services.{service.Name}.deploy", $"environment '{local.Name}' is local but the service has no `local` settings",
                    "add `local: { healthUrl: ... }` (and `command` unless it builds an image)");
            }
        }
    }
}
