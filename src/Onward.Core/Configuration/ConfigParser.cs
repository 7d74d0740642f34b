using YamlDotNet.Core;

namespace Onward.Core.Configuration;

/// <summary>
/// Turns the text of an <c>onward.yaml</c> into an <see cref="OnwardConfig"/>, collecting every problem (with
/// file:line:column and a fix) instead of stopping at the first. Each section has its reader (<see cref="ServerReader"/>,
/// <see cref="WebhooksReader"/>, <see cref="RegistriesReader"/>, <see cref="EnvironmentsReader"/> with
/// <see cref="PolicyReader"/>, <see cref="ServicesReader"/> with <see cref="BuildReader"/> and
/// <see cref="DeployReader"/>) over one <see cref="NodeReader"/>; <see cref="ConfigCrossChecks"/> then checks what
/// spans sections.
/// </summary>
public static class ConfigParser
{
    /// <param name="text">The file's content.</param>
    /// <param name="file">The name shown in problems.</param>
    /// <param name="baseDirectory">Relative paths (database, data directory, local repositories) resolve against it.</param>
    /// <param name="environment">Looks up <c>${NAME}</c> references and <c>HOME</c> for <c>~/</c>; usually <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    /// <param name="pathExists">Whether a path on this host exists (local repositories are checked with it); null checks nothing.</param>
    public static ConfigLoadResult Parse(string text, string file, string baseDirectory, Func<string, string?> environment, Func<string, bool>? pathExists = null)
    {
        var nodes = new NodeReader(file, baseDirectory, environment, pathExists);
        var config = Read(text, nodes);
        return new ConfigLoadResult(
            nodes.Problems.Count == 0 ? config : null,
            nodes.Problems.OrderBy(p => p.Line).ThenBy(p => p.Column).ToList());
    }

    private static OnwardConfig? Read(string text, NodeReader nodes)
    {
        // `{ secret: ${TOKEN} }` is how people write it (the README does), but in a flow mapping `{` and `}` are YAML's
        // own. References are swapped for a form YAML reads as plain text, of the same length so that every column
        // in a problem still points at the file, and expanded as values are read.
        text = NodeReader.SwapReferences(text);
        if (CheckIndentation(text, nodes))
        {
            return null;
        }
        YamlNode? root;
        try
        {
            root = YamlTreeReader.Read(text);
        }
        catch (YamlException e)
        {
            nodes.Problem((int)e.Start.Line, (int)e.Start.Column, "", $"not valid YAML: {e.Message}", "fix the YAML syntax at this position (indentation, quotes, colons)");
            return null;
        }
        if (root is not YamlMapping map)
        {
            nodes.Problem(root?.Line ?? 1, root?.Column ?? 1, "", "the file must be a mapping with `environments` and `services`", "start from the example in the README");
            return null;
        }

        var keys = nodes.Keys(map, "", "server", "auth", "environments", "services", "webhooks", "registries", "notifications");
        var servers = new ServerReader(nodes);
        var server = servers.ReadServer(keys.Get("server"));
        var auth = servers.ReadAuth(keys.Get("auth"), server);
        var webhooks = new WebhooksReader(nodes).Read(keys.Get("webhooks"));
        var registries = new RegistriesReader(nodes).Read(keys.Get("registries"));

        List<EnvironmentConfig> environments = [];
        if (keys.Get("environments") is { } environmentsNode)
        {
            environments = new EnvironmentsReader(nodes, auth.Mode).Read(environmentsNode);
        }
        else
        {
            nodes.Problem(map, "environments", "missing `environments`", "add at least one, e.g. `environments: { dev-1: { target: { local: {} }, policy: { autoDeploy: main } } }`");
        }
        List<ServiceConfig> services = [];
        if (keys.Get("services") is { } servicesNode)
        {
            services = new ServicesReader(nodes).Read(servicesNode);
        }
        else
        {
            nodes.Problem(map, "services", "missing `services`", "add at least one service with `repository`, `build` and `deploy`");
        }

        new ConfigCrossChecks(nodes).Check(environments, services);
        if (auth.Oidc is { } oidc && NodeReader.Child(keys.Get("auth"), "oidc") is { } oidcNode)
        {
            foreach (var rule in oidc.Roles)
            {
                foreach (var unknown in (rule.Services ?? []).Where(n => services.All(s => s.Name != n)))
                {
                    nodes.Problem(oidcNode, "auth.oidc.roles", $"the entry for group '{rule.Group}' names service '{unknown}', which onward.yaml does not define", "name services under `services`");
                }
                foreach (var unknown in (rule.Environments ?? []).Where(n => environments.All(e => e.Name != n)))
                {
                    nodes.Problem(oidcNode, "auth.oidc.roles", $"the entry for group '{rule.Group}' names environment '{unknown}', which onward.yaml does not define", "name environments under `environments`");
                }
            }
        }
        var notifications = new NotificationsReader(nodes).Read(keys.Get("notifications"), environments.Select(e => e.Name).ToList(), services.Select(s => s.Name).ToList());
        return new OnwardConfig(server, auth, environments, services) { WebhookSecrets = webhooks, Registries = registries, Notifications = notifications };
    }

    /// <summary>
    /// YAML indents with spaces only; a tab in the indentation makes the YAML reader fail with a position at the start
    /// of the file, so tabs are looked for first and reported where they are.
    /// </summary>
    /// <returns>Whether any was found.</returns>
    private static bool CheckIndentation(string text, NodeReader nodes)
    {
        var found = false;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var content = lines[i].TrimStart(' ', '\t');
            var tab = lines[i].IndexOf('\t', StringComparison.Ordinal);
            if (tab >= 0 && tab < lines[i].Length - content.Length && content.Length > 0 && !content.StartsWith('#'))
            {
                nodes.Problem(i + 1, tab + 1, "", "a tab is used for indentation", "indent with spaces only (YAML does not allow tabs there); most editors can turn tabs into spaces");
                found = true;
            }
        }
        return found;
    }
}
