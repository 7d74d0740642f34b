namespace Onward.Core.Configuration;

/// <summary>Reads <c>registries</c>: per registry host, plain HTTP or not, and where its credentials come from.</summary>
public sealed class RegistriesReader(NodeReader nodes)
{
    public List<RegistryConfig> Read(YamlNode? node)
    {
        var registries = new List<RegistryConfig>();
        if (node is null || nodes.AsMapping(node, "registries") is not { } map)
        {
            return registries;
        }
        foreach (var (host, value) in nodes.UniqueEntries(map, "registries", "registry"))
        {
            var path = $"registries.{host.Value}";
            if (host.Value.Contains('/', StringComparison.Ordinal) || host.Value.Contains("://", StringComparison.Ordinal))
            {
                nodes.Problem(host, path, $"'{host.Value}' is not a registry host", "write the host alone, with its port if any, e.g. `\"127.0.0.1:5000\"` or `registry.example.com`");
                continue;
            }
            if (nodes.AsMapping(value, path) is not { } registry)
            {
                continue;
            }
            var keys = nodes.Keys(registry, path, "insecure", "username", "password", "dockerConfig");
            var username = nodes.Text(keys.Get("username"), path + ".username")?.Value;
            var password = nodes.Text(keys.Get("password"), path + ".password")?.Value;
            if ((username is null) != (password is null))
            {
                nodes.Problem(registry, path, "`username` and `password` go together", "give both, or use `dockerConfig: ~/.docker/config.json`");
            }
            var dockerConfig = nodes.Text(keys.Get("dockerConfig"), path + ".dockerConfig") is { } file ? nodes.HostPath(file, path + ".dockerConfig") : null;
            registries.Add(new RegistryConfig(host.Value, nodes.Flag(keys.Get("insecure"), path + ".insecure") ?? false, username, password, dockerConfig));
        }
        return registries;
    }
}
