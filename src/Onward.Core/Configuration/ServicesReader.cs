using System.Text.RegularExpressions;
using Onward.Core.Sources;

namespace Onward.Core.Configuration;

/// <summary>Reads <c>services</c>: each one's repository, refs, build, deploy and verification.</summary>
public sealed class ServicesReader(NodeReader nodes)
{
    public List<ServiceConfig> Read(YamlNode node)
    {
        var services = new List<ServiceConfig>();
        if (nodes.AsMapping(node, "services") is not { } map)
        {
            return services;
        }
        foreach (var (key, value) in nodes.UniqueEntries(map, "services", "service"))
        {
            if (ReadService(key, value) is { } service)
            {
                services.Add(service);
            }
        }
        return services;
    }

    private ServiceConfig? ReadService(YamlScalar name, YamlNode node)
    {
        var path = $"services.{name.Value}";
        nodes.CheckName(name, path, "service");
        if (nodes.AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = nodes.Keys(map, path, "repository", "poll", "mainBranch", "versionRefPattern", "releaseCandidatePattern", "build", "deploy", "verify", "flags", "report", "canary", "previews");
        RepositoryAddress? repository = null;
        if (nodes.Text(keys.Get("repository"), path + ".repository") is { } repo)
        {
            // URLs (scheme://, scp-like user@host:path) stay as they are; anything else is a path on this host.
            repository = RepositoryAddress.Parse(repo.Value);
            if (repository.IsLocal)
            {
                repository = RepositoryAddress.Parse(nodes.HostPath(repo, path + ".repository"));
            }
            if (repository.IsLocal && nodes.PathExists is not null && !nodes.PathExists(repository.Url))
            {
                nodes.Problem(repo, path + ".repository", $"the local repository {repository.Url} does not exist",
                    "give the path of a git repository on this host (relative paths start at this file's folder), or its URL");
            }
        }
        else
        {
            nodes.Problem(map, path, "missing `repository`", "set it to a git URL or a local path, e.g. `repository: ./sample`");
        }
        var poll = nodes.Duration(keys.Get("poll"), path + ".poll") ?? TimeSpan.FromSeconds(30);
        if (poll < TimeSpan.FromMilliseconds(100) && keys.Get("poll") is { } pollNode)
        {
            nodes.Problem(pollNode, path + ".poll", "the poll interval is too short", "use 100ms or more, e.g. `30s`");
        }
        string? mainBranch = null;
        if (nodes.Text(keys.Get("mainBranch"), path + ".mainBranch") is { } mb)
        {
            mainBranch = mb.Value;
        }
        var versionPattern = nodes.Pattern(keys.Get("versionRefPattern"), path + ".versionRefPattern") ?? new Regex(@"^(\d+\.)+\d+$", RegexOptions.CultureInvariant);
        var candidatePattern = nodes.Pattern(keys.Get("releaseCandidatePattern"), path + ".releaseCandidatePattern") ?? new Regex(@"^\d+\.\d+\.\d+$", RegexOptions.CultureInvariant);

        BuildConfig? build = null;
        if (keys.Get("build") is { } buildNode)
        {
            build = new BuildReader(nodes).Read(buildNode, path + ".build");
        }
        else
        {
            nodes.Problem(map, path, "missing `build`", "add `build: { command: { run: \"make\" } }`");
        }
        DeployConfig? deploy = null;
        if (keys.Get("deploy") is { } deployNode)
        {
            // An image builder counts even when its image was refused, so that one mistake is reported once.
            var imageBuild = build?.ImageRepository is not null || BuildReader.ImageBuilders.Any(b => NodeReader.Child(keys.Get("build"), b) is not null);
            deploy = new DeployReader(nodes).Read(deployNode, path + ".deploy", imageBuild);
        }
        else
        {
            nodes.Problem(map, path, "missing `deploy`", "add `deploy: { local: { command: \"./run --port {port}\", healthUrl: \"http://127.0.0.1:{port}/healthz\" } }`");
        }
        var verifyTimeout = TimeSpan.FromMinutes(10);
        if (keys.Get("verify") is { } verifyNode && nodes.AsMapping(verifyNode, path + ".verify") is { } verifyMap)
        {
            var verifyKeys = nodes.Keys(verifyMap, path + ".verify", "timeout");
            verifyTimeout = nodes.Duration(verifyKeys.Get("timeout"), path + ".verify.timeout") ?? verifyTimeout;
        }
        string? flags = null;
        if (keys.Get("flags") is { } flagsNode && nodes.Text(flagsNode, path + ".flags") is { } flagsPath)
        {
            var relative = flagsPath.Value.Trim();
            if (relative.Length == 0 || relative.StartsWith('/') || relative.Split('/').Any(part => part is ".." or "") || relative.Length > 512)
            {
                nodes.Problem(flagsNode, path + ".flags", $"'{flagsPath.Value}' is not a file path inside the repository", "name the flag document relative to the repository's root, e.g. `flags: flags/flags.json`");
            }
            else
            {
                flags = relative;
            }
        }
        CanaryConfig? canary = null;
        var canaryOff = false;
        if (keys.Get("canary") is { } canaryNode)
        {
            if (canaryNode is YamlScalar)
            {
                canaryOff = !(nodes.Flag(canaryNode, path + ".canary") ?? true);
                if (!canaryOff)
                {
                    nodes.Problem(canaryNode, path + ".canary", "`canary: true` says nothing", "write `canary: false` to turn the environments' canary off, or give a whole canary (steps and analysis)");
                }
            }
            else
            {
                canary = new CanaryReader(nodes).Read(canaryNode, path + ".canary");
            }
        }
        var previews = keys.Get("previews") is { } previewsNode ? ReadPreviews(previewsNode, path + ".previews", name.Value) : null;
        var report = keys.Get("report") is { } reportNode && repository is not null ? ReadReport(reportNode, path + ".report", repository.Url) : null;
        return repository is null || build is null || deploy is null
            ? null
            : new ServiceConfig(name.Value, repository, poll, mainBranch, versionPattern, candidatePattern, build, deploy, verifyTimeout)
            {
                At = ConfigPosition.Of(name),
                Flags = flags,
                Report = report,
                Canary = canary,
                CanaryOff = canaryOff,
                Previews = previews,
            };
    }

    /// <summary><c>previews: { from, branches?, ttl?, max?, namespace?, ports?, url? }</c>.</summary>
    private PreviewConfig? ReadPreviews(YamlNode node, string path, string service)
    {
        if (nodes.AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = nodes.Keys(map, path, "from", "branches", "ttl", "max", "namespace", "ports", "url", "forks");
        var from = nodes.Text(keys.Get("from"), path + ".from")?.Value;
        if (from is null)
        {
            nodes.Problem(map, path, "missing `from`", "name the environment whose target previews copy, e.g. `from: dev-1`");
            return null;
        }
        var ttl = nodes.Duration(keys.Get("ttl"), path + ".ttl") ?? PreviewConfig.DefaultTtl;
        if (ttl < TimeSpan.FromMinutes(1) && keys.Get("ttl") is { } ttlNode)
        {
            nodes.Problem(ttlNode, path + ".ttl", "a preview would be destroyed before anyone looked at it", "give a minute or more, e.g. `72h`");
        }
        var max = nodes.Number(keys.Get("max"), path + ".max", 1, 1000) ?? PreviewConfig.DefaultMax;
        var settings = new PreviewConfig(from, nodes.Pattern(keys.Get("branches"), path + ".branches"), ttl, max)
        {
            At = ConfigPosition.Of(map),
            Forks = nodes.Flag(keys.Get("forks"), path + ".forks") ?? false,
        };
        if (nodes.Text(keys.Get("namespace"), path + ".namespace") is { } ns)
        {
            nodes.CheckPlaceholders(ns, path + ".namespace", "service", "number");
            var sample = PreviewConfig.Fill(ns.Value, service, 99999);
            if (!ns.Value.Contains("{number}", StringComparison.Ordinal))
            {
                // Destroying a preview deletes its namespace: two previews must never share one.
                nodes.Problem(ns, path + ".namespace", "every preview needs a namespace of its own, and this one has no {number}",
                    "write e.g. `namespace: '{service}-pr-{number}'`");
            }
            else if (!EnvironmentsReader.IsNamespace(sample))
            {
                nodes.Problem(ns, path + ".namespace", $"'{sample}' would not be a valid namespace name", "use lowercase letters, digits and dashes, at most 63 characters with the number");
            }
            settings = settings with { Namespace = ns.Value };
        }
        else if (!EnvironmentsReader.IsNamespace(settings.NamespaceOf(service, 99999)))
        {
            nodes.Problem(map, path, $"'{settings.NamespaceOf(service, 99999)}' would not be a valid namespace name (at most 63 characters)",
                "give previews a shorter `namespace`, e.g. `namespace: 'pr-{number}-{service}'` with a shorter service name");
        }
        if (nodes.Text(keys.Get("ports"), path + ".ports") is { } ports)
        {
            var parts = ports.Value.Split('-', StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && int.TryParse(parts[0], out var first) && int.TryParse(parts[1], out var last) && first is >= 1024 and <= 65535 && last >= first && last <= 65535)
            {
                settings = settings with { Ports = (first, last) };
            }
            else
            {
                nodes.Problem(ports, path + ".ports", $"'{ports.Value}' is not a range of ports", "write `FIRST-LAST` between 1024 and 65535, e.g. `9200-9299`");
            }
        }
        if (nodes.Text(keys.Get("url"), path + ".url") is { } url)
        {
            nodes.CheckPlaceholders(url, path + ".url", "service", "number");
            if (!Uri.TryCreate(PreviewConfig.Fill(url.Value, service, 1), UriKind.Absolute, out var sample) || sample.Scheme is not ("http" or "https"))
            {
                nodes.Problem(url, path + ".url", $"'{url.Value}' is not an http(s) URL", "write e.g. `url: 'https://pr-{number}.shop.preview.example.com'`");
            }
            else
            {
                settings = settings with { Url = url.Value };
            }
        }
        return settings;
    }

    /// <summary>
    /// <c>report: { github: { token, apiUrl?, repository? }, backoff? }</c> (or <c>gitlab</c>, <c>gitea</c>): the API and
    /// the repository default to those of the service's https repository URL.
    /// </summary>
    private ReportConfig? ReadReport(YamlNode node, string path, string repositoryUrl)
    {
        if (nodes.AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = nodes.Keys(map, path, [.. ReportConfig.Hosts, "backoff"]);
        var given = ReportConfig.Hosts.Where(h => keys.Get(h) is not null).ToList();
        if (given.Count != 1)
        {
            nodes.Problem(map, path, given.Count == 0 ? "no git host: `github`, `gitlab` or `gitea` is missing" : $"{string.Join(" and ", given)}: one git host per service",
                "write e.g. `report: { github: { token: ${GITHUB_TOKEN} } }`");
            return null;
        }
        var hostPath = $"{path}.{given[0]}";
        if (nodes.AsMapping(keys.Get(given[0])!, hostPath) is not { } hostMap)
        {
            return null;
        }
        var hostKeys = nodes.Keys(hostMap, hostPath, "token", "apiUrl", "repository");
        var token = nodes.Text(hostKeys.Get("token"), hostPath + ".token")?.Value;
        if (string.IsNullOrEmpty(token))
        {
            nodes.Problem(hostMap, hostPath, "missing `token`", $"give a token that may write commit statuses, e.g. `token: ${{{given[0].ToUpperInvariant()}_TOKEN}}`");
            return null;
        }
        var kind = given[0] switch { "github" => GitHostKind.GitHub, "gitlab" => GitHostKind.GitLab, _ => GitHostKind.Gitea };
        var repository = Uri.TryCreate(repositoryUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url : null;
        Uri? api = null;
        if (nodes.Text(hostKeys.Get("apiUrl"), hostPath + ".apiUrl") is { } apiText)
        {
            api = Uri.TryCreate(apiText.Value.TrimEnd('/') + "/", UriKind.Absolute, out var a) && a.Scheme is "http" or "https" ? a : null;
            if (api is null)
            {
                nodes.Problem(apiText, hostPath + ".apiUrl", $"'{apiText.Value}' is not an http(s) URL", "write the API's base, e.g. `https://gitlab.example.com/api/v4`");
                return null;
            }
        }
        else if (repository is not null)
        {
            api = new Uri(kind switch
            {
                GitHostKind.GitHub when repository.Host == "github.com" => "https://api.github.com/",
                GitHostKind.GitHub => $"{repository.Scheme}://{repository.Authority}/api/v3/",
                GitHostKind.GitLab => $"{repository.Scheme}://{repository.Authority}/api/v4/",
                _ => $"{repository.Scheme}://{repository.Authority}/api/v1/",
            });
        }
        var project = nodes.Text(hostKeys.Get("repository"), hostPath + ".repository")?.Value
            ?? (repository is null ? null : repository.AbsolutePath.Trim('/') is var p && p.EndsWith(".git", StringComparison.Ordinal) ? p[..^4] : repository.AbsolutePath.Trim('/'));
        if (api is null || string.IsNullOrEmpty(project) || !project.Contains('/', StringComparison.Ordinal))
        {
            nodes.Problem(hostMap, hostPath, "the git host's API and repository cannot be told from the service's repository URL",
                "give them, e.g. `apiUrl: https://git.example.com/api/v1` and `repository: acme/shop`");
            return null;
        }
        var (backoff, valid) = NotificationsReader.Backoff(nodes, keys.Get("backoff"), path + ".backoff");
        return valid ? new ReportConfig(kind, token, api, project) { Backoff = backoff } : null;
    }
}
