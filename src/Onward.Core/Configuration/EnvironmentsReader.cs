using System.Text.RegularExpressions;

namespace Onward.Core.Configuration;

/// <summary>Reads <c>environments</c>: each one's target (local or a Kubernetes cluster) and its policy.</summary>
public sealed partial class EnvironmentsReader(NodeReader nodes, AuthMode authMode)
{
    public List<EnvironmentConfig> Read(YamlNode node)
    {
        var environments = new List<EnvironmentConfig>();
        if (nodes.AsMapping(node, "environments") is not { } map)
        {
            return environments;
        }
        foreach (var (key, value) in nodes.UniqueEntries(map, "environments", "environment"))
        {
            if (ReadEnvironment(key, value) is { } environment)
            {
                environments.Add(environment);
            }
        }
        return environments;
    }

    private EnvironmentConfig? ReadEnvironment(YamlScalar name, YamlNode node)
    {
        var path = $"environments.{name.Value}";
        nodes.CheckName(name, path, "environment");
        if (nodes.AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = nodes.Keys(map, path, "target", "policy", "flags");
        TargetConfig? target = null;
        if (keys.Get("target") is not { } targetNode)
        {
            nodes.Problem(map, path, "missing `target`", "add `target: { local: {} }` or `target: { kubernetes: { context: C, namespace: N } }`");
        }
        else
        {
            target = ReadTarget(targetNode, path + ".target");
        }
        var policy = new PolicyReader(nodes, authMode).Read(keys.Get("policy"), path + ".policy");
        var flags = keys.Get("flags") is { } flagsNode ? ReadFlags(flagsNode, path + ".flags") : EnvironmentFlagsConfig.Default;
        return target is null ? null : new EnvironmentConfig(name.Value, target, policy) { At = ConfigPosition.Of(name), Flags = flags };
    }

    private EnvironmentFlagsConfig ReadFlags(YamlNode node, string path)
    {
        if (nodes.AsMapping(node, path) is not { } map)
        {
            return EnvironmentFlagsConfig.Default;
        }
        var keys = nodes.Keys(map, path, "cors");
        var origins = new List<string>();
        if (keys.Get("cors") is { } corsNode)
        {
            foreach (var origin in nodes.StringList(corsNode, path + ".cors"))
            {
                if (origin.Value != "*" && (!Uri.TryCreate(origin.Value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                    || uri.PathAndQuery != "/" || origin.Value.EndsWith('/')))
                {
                    nodes.Problem(origin, path + ".cors", $"'{origin.Value}' is not a browser origin", "write scheme, host and port only, e.g. `https://shop.example` or `http://localhost:3000`");
                    continue;
                }
                origins.Add(origin.Value);
            }
        }
        return new EnvironmentFlagsConfig(origins);
    }

    private TargetConfig? ReadTarget(YamlNode node, string path)
    {
        if (nodes.AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = nodes.Keys(map, path, "local", "kubernetes");
        var local = keys.Get("local");
        var kubernetes = keys.Get("kubernetes");
        if ((local is null) == (kubernetes is null))
        {
            nodes.Problem(map, path, "a target needs exactly one of `local` and `kubernetes`", "write `target: { local: {} }` for processes on this host");
            return null;
        }
        if (kubernetes is not null)
        {
            return ReadKubernetes(kubernetes, path + ".kubernetes") is { } cluster ? new TargetConfig(null, cluster) : null;
        }
        var ports = new Dictionary<string, int>(StringComparer.Ordinal);
        var portsAt = new Dictionary<string, ConfigPosition>(StringComparer.Ordinal);
        if (!NodeReader.IsNull(local!) && nodes.AsMapping(local!, path + ".local") is { } localMap)
        {
            var localKeys = nodes.Keys(localMap, path + ".local", "ports");
            if (localKeys.Get("ports") is { } portsNode && nodes.AsMapping(portsNode, path + ".local.ports") is { } portMap)
            {
                foreach (var (service, value) in nodes.UniqueEntries(portMap, path + ".local.ports", "service"))
                {
                    if (nodes.Number(value, $"{path}.local.ports.{service.Value}", 1, 65535) is { } port)
                    {
                        ports[service.Value] = port;
                        portsAt[service.Value] = ConfigPosition.Of(service);
                    }
                }
            }
        }
        return new TargetConfig(new LocalTargetConfig(ports) { PortsAt = portsAt }, null);
    }

    private KubernetesTargetConfig? ReadKubernetes(YamlNode node, string path)
    {
        if (nodes.AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = nodes.Keys(map, path, "namespace", "context", "kubeconfig", "server", "token", "inCluster", "createNamespace");
        var ns = nodes.Text(keys.Get("namespace"), path + ".namespace");
        if (ns is null)
        {
            nodes.Problem(map, path, "missing `namespace`", "name the namespace the service's objects go to, e.g. `namespace: shop`");
            return null;
        }
        if (!NamespaceRegex().IsMatch(ns.Value))
        {
            nodes.Problem(ns, path + ".namespace", $"'{ns.Value}' is not a namespace name", "use lowercase letters, digits and dashes (RFC 1123)");
        }
        var server = nodes.Text(keys.Get("server"), path + ".server")?.Value;
        var token = nodes.Text(keys.Get("token"), path + ".token")?.Value;
        var inCluster = nodes.Flag(keys.Get("inCluster"), path + ".inCluster") ?? false;
        var kubeconfigNode = nodes.Text(keys.Get("kubeconfig"), path + ".kubeconfig");
        var context = nodes.Text(keys.Get("context"), path + ".context")?.Value;
        var ways = (server is not null ? 1 : 0) + (inCluster ? 1 : 0) + (kubeconfigNode is not null || context is not null ? 1 : 0);
        if (ways > 1)
        {
            nodes.Problem(map, path, "several ways to reach the cluster given", "use one of: `context` (and `kubeconfig`), `server` with `token`, or `inCluster: true`");
        }
        if (server is not null && !Uri.TryCreate(server, UriKind.Absolute, out _))
        {
            nodes.Problem(keys.Get("server")!, path + ".server", $"'{server}' is not a URL", "write the API server's URL, e.g. `https://10.0.0.1:6443`");
        }
        if (token is not null && server is null)
        {
            nodes.Problem(keys.Get("token")!, path + ".token", "a token needs `server`", "add the API server's URL as `server`");
        }
        var kubeconfig = kubeconfigNode is null ? null : nodes.HostPath(kubeconfigNode, path + ".kubeconfig");
        return new KubernetesTargetConfig(context, ns.Value)
        {
            Kubeconfig = kubeconfig,
            Server = server,
            Token = token,
            InCluster = inCluster,
            CreateNamespace = nodes.Flag(keys.Get("createNamespace"), path + ".createNamespace") ?? true,
        };
    }

    /// <summary>Whether <paramref name="name"/> can name a namespace (a DNS label).</summary>
    public static bool IsNamespace(string name) => NamespaceRegex().IsMatch(name);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex NamespaceRegex();
}
