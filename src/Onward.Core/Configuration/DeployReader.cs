using System.Text.RegularExpressions;
using Onward.Core.Kubernetes;

namespace Onward.Core.Configuration;

/// <summary>
/// Reads a service's <c>deploy</c>: manifests or a render command for clusters (with prune and self-heal), a command
/// and health URL for the local target.
/// </summary>
public sealed partial class DeployReader(NodeReader nodes)
{
    /// <param name="imageBuild">Whether the service builds an image (whose own command can run, so that <c>local.command</c> is optional).</param>
    public DeployConfig? Read(YamlNode node, string path, bool imageBuild)
    {
        if (nodes.AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = nodes.Keys(map, path, "manifests", "render", "helm", "prune", "selfHeal", "local", "secrets");
        var manifestsNode = nodes.Text(keys.Get("manifests"), path + ".manifests");
        var manifests = manifestsNode?.Value;
        if (manifestsNode is not null)
        {
            nodes.CheckPlaceholders(manifestsNode, path + ".manifests", "environment", "service");
        }
        var render = keys.Get("render") is { } renderNode ? ReadRender(renderNode, path + ".render") : null;
        if (manifests is not null && keys.Get("render") is not null)
        {
            nodes.Problem(keys.Get("render")!, path + ".render", "both `manifests` and `render` given", "keep one: `manifests` for a directory (plain or Kustomize), `render.command` for anything else");
        }
        var helm = keys.Get("helm") is { } helmNode ? new HelmReader(nodes).Read(helmNode, path + ".helm") : null;
        if (keys.Get("helm") is { } both && (manifests is not null || keys.Get("render") is not null))
        {
            nodes.Problem(both, path + ".helm", $"both `helm` and `{(manifests is not null ? "manifests" : "render")}` given", "keep one way to make the manifests");
        }
        LocalDeployConfig? local = null;
        if (keys.Get("local") is { } localNode && nodes.AsMapping(localNode, path + ".local") is { } localMap)
        {
            var localKeys = nodes.Keys(localMap, path + ".local", "command", "healthUrl", "protocol");
            var command = nodes.Text(localKeys.Get("command"), path + ".local.command");
            var health = nodes.Text(localKeys.Get("healthUrl"), path + ".local.healthUrl");
            if (command is null && !imageBuild)
            {
                nodes.Problem(localMap, path + ".local", "missing `command`", "add the shell command that starts the release, e.g. `command: \"{artifact}/app --urls http://127.0.0.1:{port}\"`");
            }
            else if (command is not null)
            {
                nodes.CheckShellPlaceholders(command, path + ".local.command", "artifact", "port", "version", "commit", "environment");
            }
            if (health is null)
            {
                nodes.Problem(localMap, path + ".local", "missing `healthUrl`", "add the URL that answers 2xx once the release is ready, e.g. `healthUrl: \"http://127.0.0.1:{port}/healthz\"`");
            }
            else
            {
                nodes.CheckPlaceholders(health, path + ".local.healthUrl", "port", "version", "commit", "environment");
                var probe = health.Value.Replace("{port}", "1", StringComparison.Ordinal);
                if (!Uri.TryCreate(probe, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    nodes.Problem(health, path + ".local.healthUrl", $"'{health.Value}' is not an http(s) URL", "write it like `http://127.0.0.1:{port}/healthz`");
                }
            }
            var tcp = false;
            if (nodes.Text(localKeys.Get("protocol"), path + ".local.protocol") is { } protocol)
            {
                tcp = protocol.Value switch
                {
                    "http" => false,
                    "tcp" => true,
                    _ => nodes.Invalid(protocol, path + ".local.protocol", $"unknown value '{protocol.Value}'", "use `http` (the default) or `tcp`", false),
                };
            }
            if ((command is not null || imageBuild) && health is not null)
            {
                local = new LocalDeployConfig(command?.Value, health.Value) { Tcp = tcp };
            }
        }
        if (manifests is not null && (Path.IsPathRooted(manifests) || manifests.Split('/').Contains("..")))
        {
            nodes.Problem(keys.Get("manifests")!, path + ".manifests", $"'{manifests}' leaves the repository", "give a directory inside the repository, e.g. `deploy/k8s`");
        }
        if (keys.Get("local") is null && manifests is null && keys.Get("render") is null && keys.Get("helm") is null)
        {
            nodes.Problem(map, path, "no way to deploy given", "add `manifests: deploy/k8s` for Kubernetes environments or `local: { command: ..., healthUrl: ... }`");
            return null;
        }
        if (keys.Get("local") is not null && local is null || keys.Get("render") is not null && render is null || keys.Get("helm") is not null && helm is null)
        {
            return null;
        }
        return new DeployConfig(manifests, local)
        {
            Render = render,
            Helm = helm,
            Prune = nodes.Flag(keys.Get("prune"), path + ".prune") ?? true,
            SelfHeal = nodes.Flag(keys.Get("selfHeal"), path + ".selfHeal") ?? false,
            Secrets = keys.Get("secrets") is { } secrets ? ReadSecrets(secrets, path + ".secrets") : [],
        };
    }

    /// <summary><c>secrets: [{ kind, group, fields }]</c>: kinds whose fields hold secret values, masked like a Secret's data.</summary>
    private List<SecretKind> ReadSecrets(YamlNode node, string path)
    {
        if (node is not YamlSequence sequence)
        {
            nodes.Problem(node, path, "expected a list", "write one `- { kind: Credentials, group: db.example.com, fields: [spec.password] }` per kind");
            return [];
        }
        var kinds = new List<SecretKind>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var at = $"{path}[{i}]";
            if (nodes.AsMapping(sequence.Items[i], at) is not { } entry)
            {
                continue;
            }
            var keys = nodes.Keys(entry, at, "kind", "group", "fields");
            var kind = nodes.Text(keys.Get("kind"), at + ".kind");
            var group = nodes.Text(keys.Get("group"), at + ".group")?.Value ?? "";
            var fields = keys.Get("fields") is { } fieldsNode ? nodes.StringList(fieldsNode, at + ".fields") : [];
            if (kind is null || fields.Count == 0)
            {
                nodes.Problem(entry, at, kind is null ? "missing `kind`" : "missing `fields`",
                    "name the kind, its API group (empty for the core group) and the fields that hold secrets, e.g. `{ kind: Credentials, group: db.example.com, fields: [spec.password] }`");
                continue;
            }
            foreach (var field in fields.Where(f => !FieldPathRegex().IsMatch(f.Value)))
            {
                nodes.Problem(field, at + ".fields", $"'{field.Value}' is not a field path", "write the field's path with dots, e.g. `spec.password` (a mapping there masks each of its keys)");
            }
            if (kind.Value == "Secret" && group.Length == 0)
            {
                nodes.Problem(kind, at + ".kind", "Secret's data and stringData are always masked", "remove this entry; list only other kinds");
                continue;
            }
            kinds.Add(new SecretKind(group, kind.Value, [.. fields.Select(f => f.Value)]));
        }
        return kinds;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")]
    private static partial Regex FieldPathRegex();

    private RenderConfig? ReadRender(YamlNode node, string path)
    {
        if (nodes.AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = nodes.Keys(map, path, "command", "timeout");
        var command = nodes.Text(keys.Get("command"), path + ".command");
        if (command is null)
        {
            nodes.Problem(map, path, "missing `command`", "add the command that prints the manifests, e.g. `command: \"helm template shop chart -f chart/values-{environment}.yaml\"`");
            return null;
        }
        nodes.CheckShellPlaceholders(command, path + ".command", "version", "commit", "service", "environment", "namespace", "image", "number");
        var timeout = nodes.Duration(keys.Get("timeout"), path + ".timeout") ?? TimeSpan.FromMinutes(2);
        return new RenderConfig(command.Value, timeout);
    }
}
