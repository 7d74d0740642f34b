using System.Text.RegularExpressions;
using Cronos;
using Onward.Core.Access;
using Onward.Core.Images;
using Onward.Core.Sources;
using YamlDotNet.Core;

namespace Onward.Core.Configuration;

/// <summary>
/// Turns the text of an <c>onward.yaml</c> into an <see cref="OnwardConfig"/>, collecting every problem (with
/// file:line:column and a fix) instead of stopping at the first.
/// </summary>
public sealed partial class ConfigParser
{
    private static readonly Regex NamePattern = NameRegex();
    private readonly List<ConfigProblem> _problems = [];
    private readonly string _file;
    private readonly string _baseDirectory;
    private readonly Func<string, string?> _environment;
    private readonly Func<string, bool>? _pathExists;
    private AuthMode _authMode;

    private ConfigParser(string file, string baseDirectory, Func<string, string?> environment, Func<string, bool>? pathExists)
    {
        _file = file;
        _baseDirectory = baseDirectory;
        _environment = environment;
        _pathExists = pathExists;
    }

    /// <param name="text">The file's content.</param>
    /// <param name="file">The name shown in problems.</param>
    /// <param name="baseDirectory">Relative paths (database, data directory, local repositories) resolve against it.</param>
    /// <param name="environment">Looks up <c>${NAME}</c> references; usually <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    /// <param name="pathExists">Whether a path on this host exists (local repositories are checked with it); null checks nothing.</param>
    public static ConfigLoadResult Parse(string text, string file, string baseDirectory, Func<string, string?> environment, Func<string, bool>? pathExists = null)
    {
        var parser = new ConfigParser(file, baseDirectory, environment, pathExists);
        var config = parser.ParseRoot(text);
        return new ConfigLoadResult(
            parser._problems.Count == 0 ? config : null,
            parser._problems.OrderBy(p => p.Line).ThenBy(p => p.Column).ToList());
    }

    private OnwardConfig? ParseRoot(string text)
    {
        // `{ secret: ${TOKEN} }` is how people write it (API.md does), but in a flow mapping `{` and `}` are YAML's
        // own. References are swapped for a form YAML reads as plain text, of the same length so that every column
        // in a problem still points at the file, and expanded after parsing.
        text = EnvReferenceRegex().Replace(text, m => "$\u27E8" + m.Groups[1].Value + "\u27E9");
        if (CheckIndentation(text))
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
            Problem((int)e.Start.Line, (int)e.Start.Column, "", $"not valid YAML: {e.Message}", "fix the YAML syntax at this position (indentation, quotes, colons)");
            return null;
        }
        if (root is not YamlMapping map)
        {
            Problem(root?.Line ?? 1, root?.Column ?? 1, "", "the file must be a mapping with `environments` and `services`", "start from the example in the README");
            return null;
        }

        var keys = Keys(map, "", "server", "auth", "environments", "services", "webhooks", "registries");
        var server = ParseServer(keys.Get("server"));
        var auth = ParseAuth(keys.Get("auth"), server);
        _authMode = auth.Mode;
        var webhooks = ParseWebhooks(keys.Get("webhooks"));
        var registries = ParseRegistries(keys.Get("registries"));

        var environmentsNode = keys.Get("environments");
        var environments = new List<EnvironmentConfig>();
        if (environmentsNode is null)
        {
            Problem(map, "environments", "missing `environments`", "add at least one, e.g. `environments: { dev-1: { target: { local: {} }, policy: { autoDeploy: main } } }`");
        }
        else if (AsMapping(environmentsNode, "environments") is { } envMap)
        {
            foreach (var (key, value) in UniqueEntries(envMap, "environments", "environment"))
            {
                var environment = ParseEnvironment(key, value);
                if (environment is not null)
                {
                    environments.Add(environment);
                }
            }
        }

        var servicesNode = keys.Get("services");
        var services = new List<ServiceConfig>();
        if (servicesNode is null)
        {
            Problem(map, "services", "missing `services`", "add at least one service with `repository`, `build` and `deploy`");
        }
        else if (AsMapping(servicesNode, "services") is { } serviceMap)
        {
            foreach (var (key, value) in UniqueEntries(serviceMap, "services", "service"))
            {
                var service = ParseService(key, value);
                if (service is not null)
                {
                    services.Add(service);
                }
            }
        }

        CheckRequires(environmentsNode as YamlMapping, environments);
        CheckRequiresCycles(environmentsNode as YamlMapping, environments);
        CheckLocalPorts(environmentsNode as YamlMapping, environments, services);
        CheckDeployMethods(servicesNode as YamlMapping, environments, services);
        return new OnwardConfig(server, auth, environments, services) { WebhookSecrets = webhooks, Registries = registries };
    }

    /// <summary>
    /// YAML indents with spaces only; a tab in the indentation makes the YAML reader fail with a position at the start
    /// of the file, so tabs are looked for first and reported where they are.
    /// </summary>
    /// <returns>Whether any was found.</returns>
    private bool CheckIndentation(string text)
    {
        var found = false;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var indent = line.Length - line.TrimStart(' ', '\t').Length;
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab >= 0 && tab < indent && line.TrimStart(' ', '\t').Length > 0 && !line.TrimStart(' ', '\t').StartsWith('#'))
            {
                Problem(i + 1, tab + 1, "", "a tab is used for indentation", "indent with spaces only (YAML does not allow tabs there); most editors can turn tabs into spaces");
                found = true;
            }
        }
        return found;
    }

    private List<RegistryConfig> ParseRegistries(YamlNode? node)
    {
        var registries = new List<RegistryConfig>();
        if (node is null || AsMapping(node, "registries") is not { } map)
        {
            return registries;
        }
        foreach (var (host, value) in UniqueEntries(map, "registries", "registry"))
        {
            var path = $"registries.{host.Value}";
            if (host.Value.Contains('/', StringComparison.Ordinal) || host.Value.Contains("://", StringComparison.Ordinal))
            {
                Problem(host, path, $"'{host.Value}' is not a registry host", "write the host alone, with its port if any, e.g. `\"127.0.0.1:5000\"` or `registry.example.com`");
                continue;
            }
            if (AsMapping(value, path) is not { } registry)
            {
                continue;
            }
            var keys = Keys(registry, path, "insecure", "username", "password", "dockerConfig");
            var username = Str(keys.Get("username"), path + ".username")?.Value;
            var password = Str(keys.Get("password"), path + ".password")?.Value;
            if ((username is null) != (password is null))
            {
                Problem(registry, path, "`username` and `password` go together", "give both, or use `dockerConfig: ~/.docker/config.json`");
            }
            var dockerConfig = Str(keys.Get("dockerConfig"), path + ".dockerConfig")?.Value;
            if (dockerConfig is not null)
            {
                dockerConfig = Path.GetFullPath(dockerConfig.StartsWith("~/", StringComparison.Ordinal)
                    ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), dockerConfig[2..])
                    : dockerConfig, _baseDirectory);
            }
            registries.Add(new RegistryConfig(host.Value, Bool(keys.Get("insecure"), path + ".insecure") ?? false, username, password, dockerConfig));
        }
        return registries;
    }

    private Dictionary<string, string> ParseWebhooks(YamlNode? node)
    {
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is null || AsMapping(node, "webhooks") is not { } map)
        {
            return secrets;
        }
        string[] providers = ["github", "gitlab", "gitea", "bitbucket"];
        var keys = Keys(map, "webhooks", providers);
        foreach (var provider in providers)
        {
            if (keys.Get(provider) is not { } providerNode || AsMapping(providerNode, "webhooks." + provider) is not { } providerMap)
            {
                continue;
            }
            var providerKeys = Keys(providerMap, "webhooks." + provider, "secret");
            var secret = Str(providerKeys.Get("secret"), $"webhooks.{provider}.secret");
            if (secret is null || secret.Value.Length == 0)
            {
                Problem(providerMap, "webhooks." + provider, "missing `secret`",
                    $"set the secret you gave {provider} for the webhook, e.g. `secret: ${{{provider.ToUpperInvariant()}_WEBHOOK_SECRET}}`; unsigned webhooks are never accepted");
                continue;
            }
            secrets[provider] = secret.Value;
        }
        return secrets;
    }

    private ServerOptions ParseServer(YamlNode? node)
    {
        var listen = new Uri("http://127.0.0.1:8080");
        var database = "sqlite:onward.db";
        var dataDir = ".onward";
        var workers = 16;
        var builds = 2;
        if (node is not null && AsMapping(node, "server") is { } map)
        {
            var keys = Keys(map, "server", "listen", "database", "dataDir", "workers", "builds");
            if (Str(keys.Get("listen"), "server.listen") is { } l)
            {
                if (Uri.TryCreate(l.Value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                {
                    listen = uri;
                }
                else
                {
                    Problem(l, "server.listen", $"'{l.Value}' is not an http(s) URL", "write it like `http://127.0.0.1:8080`");
                }
            }
            if (Str(keys.Get("database"), "server.database") is { } d)
            {
                if (d.Value.StartsWith("sqlite:", StringComparison.Ordinal) && d.Value.Length > "sqlite:".Length)
                {
                    database = d.Value;
                }
                else if (d.Value.StartsWith("postgres://", StringComparison.Ordinal) || d.Value.StartsWith("postgresql://", StringComparison.Ordinal))
                {
                    Problem(d, "server.database", "PostgreSQL is not supported by this version", "use `sqlite:onward.db`");
                }
                else
                {
                    Problem(d, "server.database", $"'{d.Value}' is not a database URL", "use `sqlite:PATH`, e.g. `sqlite:onward.db`");
                }
            }
            if (Str(keys.Get("dataDir"), "server.dataDir") is { } dir)
            {
                dataDir = dir.Value;
            }
            if (Int(keys.Get("workers"), "server.workers", 1, 256) is { } w)
            {
                workers = w;
            }
            if (Int(keys.Get("builds"), "server.builds", 1, 64) is { } b)
            {
                builds = b;
            }
        }
        var dbPath = database["sqlite:".Length..];
        return new ServerOptions(
            listen,
            "sqlite:" + Path.GetFullPath(dbPath, _baseDirectory),
            Path.GetFullPath(dataDir, _baseDirectory),
            workers)
        { Builds = builds };
    }

    private AuthOptions ParseAuth(YamlNode? node, ServerOptions server)
    {
        var mode = AuthMode.None;
        YamlNode? where = node;
        if (node is not null && AsMapping(node, "auth") is { } map)
        {
            var keys = Keys(map, "auth", "mode");
            if (Str(keys.Get("mode"), "auth.mode") is { } m)
            {
                where = m;
                switch (m.Value)
                {
                    case "none":
                        mode = AuthMode.None;
                        break;
                    case "tokens":
                        mode = AuthMode.Tokens;
                        break;
                    default:
                        Problem(m, "auth.mode", $"unknown mode '{m.Value}'", "use `none` or `tokens`");
                        break;
                }
            }
        }
        if (mode == AuthMode.None && !server.ListensOnLoopback)
        {
            var line = where?.Line ?? 1;
            var column = where?.Column ?? 1;
            Problem(line, column, "auth.mode", $"`none` is accepted only when the server listens on loopback, not on {server.Listen}", "listen on http://127.0.0.1:PORT");
        }
        return new AuthOptions(mode);
    }

    private EnvironmentConfig? ParseEnvironment(YamlScalar name, YamlNode node)
    {
        var path = $"environments.{name.Value}";
        CheckName(name, path, "environment");
        if (AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = Keys(map, path, "target", "policy");
        TargetConfig? target = null;
        if (keys.Get("target") is not { } targetNode)
        {
            Problem(map, path, "missing `target`", "add `target: { local: {} }` or `target: { kubernetes: { context: C, namespace: N } }`");
        }
        else
        {
            target = ParseTarget(targetNode, path + ".target");
        }
        var policy = ParsePolicy(keys.Get("policy"), path + ".policy");
        return target is null ? null : new EnvironmentConfig(name.Value, target, policy);
    }

    private TargetConfig? ParseTarget(YamlNode node, string path)
    {
        if (AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = Keys(map, path, "local", "kubernetes");
        var local = keys.Get("local");
        var kubernetes = keys.Get("kubernetes");
        if ((local is null) == (kubernetes is null))
        {
            Problem(map, path, "a target needs exactly one of `local` and `kubernetes`", "write `target: { local: {} }` for processes on this host");
            return null;
        }
        if (kubernetes is not null)
        {
            return ParseKubernetes(kubernetes, path + ".kubernetes") is { } cluster ? new TargetConfig(null, cluster) : null;
        }
        var ports = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!IsNull(local!) && AsMapping(local!, path + ".local") is { } localMap)
        {
            var localKeys = Keys(localMap, path + ".local", "ports");
            if (localKeys.Get("ports") is { } portsNode && AsMapping(portsNode, path + ".local.ports") is { } portMap)
            {
                foreach (var (service, value) in UniqueEntries(portMap, path + ".local.ports", "service"))
                {
                    if (Int(value, $"{path}.local.ports.{service.Value}", 1, 65535) is { } port)
                    {
                        ports[service.Value] = port;
                    }
                }
            }
        }
        return new TargetConfig(new LocalTargetConfig(ports), null);
    }

    private KubernetesTargetConfig? ParseKubernetes(YamlNode node, string path)
    {
        if (AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = Keys(map, path, "namespace", "context", "kubeconfig", "server", "token", "inCluster");
        var ns = Str(keys.Get("namespace"), path + ".namespace");
        if (ns is null)
        {
            Problem(map, path, "missing `namespace`", "name the namespace the service's objects go to, e.g. `namespace: shop`");
            return null;
        }
        if (!NamespaceRegex().IsMatch(ns.Value))
        {
            Problem(ns, path + ".namespace", $"'{ns.Value}' is not a namespace name", "use lowercase letters, digits and dashes (RFC 1123)");
        }
        var server = Str(keys.Get("server"), path + ".server")?.Value;
        var token = Str(keys.Get("token"), path + ".token")?.Value;
        var inCluster = Bool(keys.Get("inCluster"), path + ".inCluster") ?? false;
        var kubeconfig = Str(keys.Get("kubeconfig"), path + ".kubeconfig")?.Value;
        var context = Str(keys.Get("context"), path + ".context")?.Value;
        var ways = (server is not null ? 1 : 0) + (inCluster ? 1 : 0) + (kubeconfig is not null || context is not null ? 1 : 0);
        if (ways > 1)
        {
            Problem(map, path, "several ways to reach the cluster given", "use one of: `context` (and `kubeconfig`), `server` with `token`, or `inCluster: true`");
        }
        if (server is not null && !Uri.TryCreate(server, UriKind.Absolute, out _))
        {
            Problem(keys.Get("server")!, path + ".server", $"'{server}' is not a URL", "write the API server's URL, e.g. `https://10.0.0.1:6443`");
        }
        if (token is not null && server is null)
        {
            Problem(keys.Get("token")!, path + ".token", "a token needs `server`", "add the API server's URL as `server`");
        }
        if (kubeconfig is not null)
        {
            kubeconfig = Path.GetFullPath(kubeconfig.StartsWith("~/", StringComparison.Ordinal)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), kubeconfig[2..])
                : kubeconfig, _baseDirectory);
        }
        return new KubernetesTargetConfig(context, ns.Value) { Kubeconfig = kubeconfig, Server = server, Token = token, InCluster = inCluster };
    }

    private EnvironmentPolicy ParsePolicy(YamlNode? node, string path)
    {
        var autoDeploy = AutoDeployMode.None;
        var requires = new List<string>();
        var forwardOnly = true;
        var onFailure = OnFailureMode.Restore;
        var autoPromote = false;
        ApprovalPolicy? approval = null;
        List<FreezeWindow> freeze = [];
        if (node is not null && AsMapping(node, path) is { } map)
        {
            var keys = Keys(map, path, "autoDeploy", "requires", "autoPromote", "approval", "forwardOnly", "onFailure", "freeze");
            if (Str(keys.Get("autoDeploy"), path + ".autoDeploy") is { } a)
            {
                autoDeploy = a.Value switch
                {
                    "main" => AutoDeployMode.Main,
                    "none" or "never" => AutoDeployMode.None,
                    _ => Invalid(a, path + ".autoDeploy", $"unknown value '{a.Value}'", "use `main` (every successful build) or leave it out", AutoDeployMode.None),
                };
            }
            if (keys.Get("requires") is { } r)
            {
                foreach (var item in StringList(r, path + ".requires"))
                {
                    requires.Add(item.Value);
                }
            }
            if (Bool(keys.Get("forwardOnly"), path + ".forwardOnly") is { } f)
            {
                forwardOnly = f;
            }
            if (Str(keys.Get("onFailure"), path + ".onFailure") is { } o)
            {
                onFailure = o.Value switch
                {
                    "restore" => OnFailureMode.Restore,
                    "halt" => OnFailureMode.Halt,
                    _ => Invalid(o, path + ".onFailure", $"unknown value '{o.Value}'", "use `restore` or `halt`", OnFailureMode.Restore),
                };
            }
            if (Str(keys.Get("autoPromote"), path + ".autoPromote") is { } p)
            {
                autoPromote = p.Value switch
                {
                    "releaseCandidates" => true,
                    "none" => false,
                    _ => Invalid(p, path + ".autoPromote", $"unknown value '{p.Value}'", "use `releaseCandidates` or leave it out", false),
                };
                if (autoPromote && requires.Count == 0)
                {
                    Problem(p, path + ".autoPromote", "automatic promotion needs environments a release proves itself in first",
                        "add `requires: [dev-1]` (the environments whose success promotes a release candidate here)");
                }
            }
            if (keys.Get("approval") is { } approvalNode)
            {
                approval = ParseApproval(approvalNode, path + ".approval");
            }
            if (keys.Get("freeze") is { } freezeNode)
            {
                freeze = ParseFreezeWindows(freezeNode, path + ".freeze");
            }
        }
        return new EnvironmentPolicy(autoDeploy, requires, autoPromote, approval, forwardOnly, onFailure, freeze);
    }

    private ApprovalPolicy? ParseApproval(YamlNode node, string path)
    {
        if (AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = Keys(map, path, "required", "approvers", "allowSelfApproval", "includeAutoPromotions", "expiry");
        var required = Int(keys.Get("required"), path + ".required", 1, 10) ?? 1;
        var approverNodes = keys.Get("approvers") is { } a ? StringList(a, path + ".approvers") : [];
        foreach (var group in approverNodes.Where(g => !AccessTokens.IsValidName(g.Value)))
        {
            Problem(group, path + ".approvers", $"'{group.Value}' is not a group name tokens can carry", "use lowercase letters, digits, '.', '_' and '-', e.g. `release-managers`");
        }
        var approvers = approverNodes.Select(g => g.Value).ToList();
        if (approvers.Count == 0)
        {
            Problem(keys.Get("approvers") ?? map, path + ".approvers", "no approver groups given",
                "name the groups whose members may approve, e.g. `approvers: [release-managers]`; tokens get groups with `onward tokens create --group`");
        }
        var expiry = Duration(keys.Get("expiry"), path + ".expiry") ?? ApprovalPolicy.DefaultExpiry;
        if (expiry <= TimeSpan.Zero)
        {
            Problem(keys.Get("expiry")!, path + ".expiry", "the expiry must be longer than zero", "write how long a request may wait, e.g. `expiry: 24h`");
        }
        if (_authMode != AuthMode.Tokens)
        {
            Problem(map, path, "approvals need to know who approves, but `auth.mode` is `none`",
                "set `auth: { mode: tokens }` and create tokens with `onward tokens create --name NAME --role approver --group GROUP`");
        }
        return new ApprovalPolicy(
            required,
            approvers,
            Bool(keys.Get("allowSelfApproval"), path + ".allowSelfApproval") ?? false,
            Bool(keys.Get("includeAutoPromotions"), path + ".includeAutoPromotions") ?? false,
            expiry);
    }

    private List<FreezeWindow> ParseFreezeWindows(YamlNode node, string path)
    {
        var windows = new List<FreezeWindow>();
        if (node is not YamlSequence sequence)
        {
            Problem(node, path, "expected a list of windows", "write `freeze: [ { cron: \"0 18 * * FRI\", duration: 62h, timezone: Europe/Berlin } ]`");
            return windows;
        }
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (AsMapping(sequence.Items[i], itemPath) is not { } map)
            {
                continue;
            }
            var keys = Keys(map, itemPath, "cron", "duration", "timezone");
            var cron = Str(keys.Get("cron"), itemPath + ".cron");
            var duration = Duration(keys.Get("duration"), itemPath + ".duration");
            var zoneName = Str(keys.Get("timezone"), itemPath + ".timezone")?.Value ?? "UTC";
            if (cron is null)
            {
                Problem(map, itemPath + ".cron", "missing `cron`", "say when the window starts, e.g. `cron: \"0 18 * * FRI\"` (minute hour day month weekday)");
            }
            if (duration is null && keys.Get("duration") is null)
            {
                Problem(map, itemPath + ".duration", "missing `duration`", "say how long the window lasts, e.g. `duration: 62h`");
            }
            else if (duration is { } d && (d <= TimeSpan.Zero || d > TimeSpan.FromDays(366)))
            {
                Problem(keys.Get("duration")!, itemPath + ".duration", "a freeze window lasts longer than zero and at most a year", "write e.g. `duration: 62h`");
                duration = null;
            }
            CronExpression? expression = null;
            if (cron is not null)
            {
                try
                {
                    expression = CronExpression.Parse(cron.Value, CronFormat.Standard);
                }
                catch (CronFormatException e)
                {
                    Problem(cron, itemPath + ".cron", $"not a cron expression: {e.Message}",
                        "write five fields, minute hour day-of-month month day-of-week, e.g. \"0 18 * * FRI\" (Fridays at 18:00)");
                }
            }
            TimeZoneInfo? zone = null;
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(zoneName);
            }
            catch (TimeZoneNotFoundException)
            {
                Problem(keys.Get("timezone")!, itemPath + ".timezone", $"unknown time zone '{zoneName}'", "use an IANA name such as `Europe/Berlin`, `America/New_York` or `UTC`");
            }
            if (expression is not null && duration is { } length && zone is not null)
            {
                windows.Add(new FreezeWindow(cron!.Value, length, zoneName) { Expression = expression, Zone = zone });
            }
        }
        return windows;
    }

    private ServiceConfig? ParseService(YamlScalar name, YamlNode node)
    {
        var path = $"services.{name.Value}";
        CheckName(name, path, "service");
        if (AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = Keys(map, path, "repository", "poll", "mainBranch", "versionRefPattern", "releaseCandidatePattern", "build", "deploy", "verify");
        RepositoryAddress? repository = null;
        if (Str(keys.Get("repository"), path + ".repository") is { } repo)
        {
            repository = ResolveRepository(repo.Value);
            if (repository.IsLocal && _pathExists is not null && !_pathExists(repository.Url))
            {
                Problem(repo, path + ".repository", $"the local repository {repository.Url} does not exist",
                    "give the path of a git repository on this host (relative paths start at this file's folder), or its URL");
            }
        }
        else
        {
            Problem(map, path, "missing `repository`", "set it to a git URL or a local path, e.g. `repository: ./sample`");
        }
        var poll = Duration(keys.Get("poll"), path + ".poll") ?? TimeSpan.FromSeconds(30);
        if (poll < TimeSpan.FromMilliseconds(100) && keys.Get("poll") is { } pollNode)
        {
            Problem(pollNode, path + ".poll", "the poll interval is too short", "use 100ms or more, e.g. `30s`");
        }
        string? mainBranch = null;
        if (Str(keys.Get("mainBranch"), path + ".mainBranch") is { } mb)
        {
            mainBranch = mb.Value;
        }
        var versionPattern = Pattern(keys.Get("versionRefPattern"), path + ".versionRefPattern") ?? new Regex(@"^(\d+\.)+\d+$", RegexOptions.CultureInvariant);
        var candidatePattern = Pattern(keys.Get("releaseCandidatePattern"), path + ".releaseCandidatePattern") ?? new Regex(@"^\d+\.\d+\.\d+$", RegexOptions.CultureInvariant);

        BuildConfig? build = null;
        if (keys.Get("build") is { } buildNode)
        {
            build = ParseBuild(buildNode, path + ".build");
        }
        else
        {
            Problem(map, path, "missing `build`", "add `build: { command: { run: \"make\" } }`");
        }
        DeployConfig? deploy = null;
        if (keys.Get("deploy") is { } deployNode)
        {
            deploy = ParseDeploy(deployNode, path + ".deploy", build?.ImageRepository is not null);
        }
        else
        {
            Problem(map, path, "missing `deploy`", "add `deploy: { local: { command: \"./run --port {port}\", healthUrl: \"http://127.0.0.1:{port}/healthz\" } }`");
        }
        var verifyTimeout = TimeSpan.FromMinutes(10);
        if (keys.Get("verify") is { } verifyNode && AsMapping(verifyNode, path + ".verify") is { } verifyMap)
        {
            var verifyKeys = Keys(verifyMap, path + ".verify", "timeout");
            verifyTimeout = Duration(verifyKeys.Get("timeout"), path + ".verify.timeout") ?? verifyTimeout;
        }
        return repository is null || build is null || deploy is null
            ? null
            : new ServiceConfig(name.Value, repository, poll, mainBranch, versionPattern, candidatePattern, build, deploy, verifyTimeout);
    }

    private RepositoryAddress ResolveRepository(string value)
    {
        // URLs (scheme://, scp-like user@host:path) stay as they are; anything else is a path on this host.
        var address = RepositoryAddress.Parse(value);
        return address.IsLocal ? RepositoryAddress.Parse(Path.GetFullPath(value, _baseDirectory)) : address;
    }

    private BuildConfig? ParseBuild(YamlNode node, string path)
    {
        if (AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = Keys(map, path, "command", "buildah", "docker", "external", "timeout");
        var timeout = Duration(keys.Get("timeout"), path + ".timeout") ?? TimeSpan.FromMinutes(30);
        string[] builders = ["command", "buildah", "docker", "external"];
        var given = builders.Where(b => keys.Get(b) is not null).ToList();
        if (given.Count != 1)
        {
            Problem(map, path, given.Count == 0 ? "no builder given" : $"several builders given ({string.Join(", ", given)})",
                "give exactly one of `command: { run: ... }`, `buildah: { image: ... }`, `docker: { image: ... }`, `external: { image: ... }`");
            return null;
        }
        switch (given[0])
        {
            case "command":
                if (AsMapping(keys.Get("command")!, path + ".command") is not { } commandMap)
                {
                    return null;
                }
                var commandKeys = Keys(commandMap, path + ".command", "run");
                if (Str(commandKeys.Get("run"), path + ".command.run") is not { } run)
                {
                    Problem(commandMap, path + ".command", "missing `run`", "add the shell command that builds, e.g. `run: \"dotnet publish -o {artifact}\"`");
                    return null;
                }
                CheckPlaceholders(run, path + ".command.run", "artifact", "version", "commit");
                return new BuildConfig(new CommandBuildConfig(run.Value), timeout);
            case "external":
                if (AsMapping(keys.Get("external")!, path + ".external") is not { } externalMap)
                {
                    return null;
                }
                var externalKeys = Keys(externalMap, path + ".external", "image");
                return ImageName(externalKeys.Get("image"), externalMap, path + ".external") is { } externalImage
                    ? new BuildConfig(null, timeout) { External = new ExternalBuildConfig(externalImage) }
                    : null;
            default:
                var builder = given[0];
                if (AsMapping(keys.Get(builder)!, $"{path}.{builder}") is not { } imageMap)
                {
                    return null;
                }
                var imageKeys = Keys(imageMap, $"{path}.{builder}", "context", "file", "image");
                var context = Str(imageKeys.Get("context"), $"{path}.{builder}.context")?.Value ?? ".";
                var file = Str(imageKeys.Get("file"), $"{path}.{builder}.file")?.Value ?? "Containerfile";
                foreach (var (value, key) in new[] { (context, "context"), (file, "file") })
                {
                    if (Path.IsPathRooted(value) || value.Split('/').Contains(".."))
                    {
                        Problem(imageKeys.Get(key) ?? imageMap, $"{path}.{builder}.{key}", $"'{value}' leaves the repository", "give a path inside the repository, relative to its root");
                    }
                }
                if (ImageName(imageKeys.Get("image"), imageMap, $"{path}.{builder}") is not { } image)
                {
                    return null;
                }
                var config = new ImageBuildConfig(context, file, image);
                return builder == "buildah"
                    ? new BuildConfig(null, timeout) { Buildah = config }
                    : new BuildConfig(null, timeout) { Docker = config };
        }
    }

    /// <summary>An image repository without tag or digest: <c>registry.example.com:5000/team/app</c>.</summary>
    private string? ImageName(YamlNode? node, YamlMapping parent, string path)
    {
        if (Str(node, path + ".image") is not { } image)
        {
            Problem(parent, path, "missing `image`", "name the repository images are pushed to, e.g. `image: registry.example.com/team/app`");
            return null;
        }
        if (ImageReference.ParseRepository(image.Value, out var problem) is not { } repository)
        {
            Problem(image, path + ".image", problem!, "write the repository images are pushed to, lowercase, without a tag or digest, e.g. `registry.example.com/acme/billing` or `127.0.0.1:5000/acme/billing`; a name without a registry host (acme/billing) is on Docker Hub");
            return null;
        }
        return repository.Name;
    }

    private DeployConfig? ParseDeploy(YamlNode node, string path, bool imageBuild)
    {
        if (AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = Keys(map, path, "manifests", "local");
        var manifests = Str(keys.Get("manifests"), path + ".manifests")?.Value;
        LocalDeployConfig? local = null;
        if (keys.Get("local") is { } localNode && AsMapping(localNode, path + ".local") is { } localMap)
        {
            var localKeys = Keys(localMap, path + ".local", "command", "healthUrl");
            var command = Str(localKeys.Get("command"), path + ".local.command");
            var health = Str(localKeys.Get("healthUrl"), path + ".local.healthUrl");
            if (command is null && !imageBuild)
            {
                Problem(localMap, path + ".local", "missing `command`", "add the shell command that starts the release, e.g. `command: \"{artifact}/app --urls http://127.0.0.1:{port}\"`");
            }
            else if (command is not null)
            {
                CheckPlaceholders(command, path + ".local.command", "artifact", "port", "version", "commit", "environment");
            }
            if (health is null)
            {
                Problem(localMap, path + ".local", "missing `healthUrl`", "add the URL that answers 2xx once the release is ready, e.g. `healthUrl: \"http://127.0.0.1:{port}/healthz\"`");
            }
            else
            {
                CheckPlaceholders(health, path + ".local.healthUrl", "port", "version", "commit", "environment");
                var probe = health.Value.Replace("{port}", "1", StringComparison.Ordinal);
                if (!Uri.TryCreate(probe, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    Problem(health, path + ".local.healthUrl", $"'{health.Value}' is not an http(s) URL", "write it like `http://127.0.0.1:{port}/healthz`");
                }
            }
            if ((command is not null || imageBuild) && health is not null)
            {
                local = new LocalDeployConfig(command?.Value, health.Value);
            }
        }
        if (manifests is not null && (Path.IsPathRooted(manifests) || manifests.Split('/').Contains("..")))
        {
            Problem(keys.Get("manifests")!, path + ".manifests", $"'{manifests}' leaves the repository", "give a directory inside the repository, e.g. `deploy/k8s`");
        }
        if (local is null && manifests is null)
        {
            Problem(map, path, "no way to deploy given", "add `manifests: deploy/k8s` for Kubernetes environments or `local: { command: ..., healthUrl: ... }`");
            return null;
        }
        return keys.Get("local") is not null && local is null ? null : new DeployConfig(manifests, local);
    }

    private void CheckRequires(YamlMapping? environmentsNode, List<EnvironmentConfig> environments)
    {
        if (environmentsNode is null)
        {
            return;
        }
        var names = environments.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in environmentsNode.Entries)
        {
            if (Child(value, "policy") is not { } policy || Child(policy, "requires") is not YamlSequence requires)
            {
                continue;
            }
            for (var i = 0; i < requires.Items.Count; i++)
            {
                if (requires.Items[i] is not YamlScalar item)
                {
                    continue;
                }
                var path = $"environments.{key.Value}.policy.requires[{i}]";
                if (item.Value == key.Value)
                {
                    Problem(item, path, $"environment '{key.Value}' cannot require itself", "remove it from `requires`");
                }
                else if (!names.Contains(item.Value))
                {
                    var others = names.Where(n => n != key.Value).Order(StringComparer.Ordinal).ToList();
                    Problem(item, path, $"unknown environment '{item.Value}'", others.Count == 0
                        ? "there are no other environments; define it under `environments` or remove it"
                        : $"use one of: {string.Join(", ", others)}{Suggest(item.Value, others)}");
                }
            }
        }
    }

    /// <summary>
    /// Environments that require each other in a cycle (<c>a → b → c → a</c>) can never be deployed to, since each
    /// waits for a success in the next; each is reported at its requirement that closes the cycle.
    /// </summary>
    private void CheckRequiresCycles(YamlMapping? environmentsNode, List<EnvironmentConfig> environments)
    {
        if (environmentsNode is null)
        {
            return;
        }
        var requires = environments.ToDictionary(e => e.Name, e => e.Policy.Requires.Where(r => r != e.Name && environments.Any(o => o.Name == r)).ToList());
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
                var (from, to) = (cycle[i], cycle[(i + 1) % cycle.Count]);
                reported.Add(from);
                var items = Child(Child(environmentsNode.Entries.First(e => e.Key.Value == from).Value, "policy"), "requires") as YamlSequence;
                var index = items?.Items.ToList().FindIndex(n => n is YamlScalar s && s.Value == to) ?? -1;
                YamlNode where = index >= 0 ? items!.Items[index] : environmentsNode.Entries.First(e => e.Key.Value == from).Key;
                Problem(where, $"environments.{from}.policy.requires{(index >= 0 ? $"[{index}]" : "")}",
                    $"'{from}' requires '{to}', which closes the cycle {shown}: none of them could ever be deployed to",
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

    private void CheckLocalPorts(YamlMapping? environmentsNode, List<EnvironmentConfig> environments, List<ServiceConfig> services)
    {
        if (environmentsNode is null)
        {
            return;
        }
        var serviceNames = services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var used = new Dictionary<int, string>();
        foreach (var environment in environments)
        {
            if (environment.Target.Local is not { } local)
            {
                continue;
            }
            var portsNode = Child(Child(Child(environmentsNode.Entries.First(e => e.Key.Value == environment.Name).Value, "target"), "local"), "ports") as YamlMapping;
            foreach (var (service, port) in local.Ports)
            {
                var node = portsNode?.Entries.FirstOrDefault(e => e.Key.Value == service).Key;
                var path = $"environments.{environment.Name}.target.local.ports.{service}";
                if (!serviceNames.Contains(service) && node is not null)
                {
                    Problem(node, path, $"unknown service '{service}'", $"use one of: {string.Join(", ", serviceNames.Order(StringComparer.Ordinal))}{Suggest(service, serviceNames)}");
                }
                if (used.TryGetValue(port, out var other) && node is not null)
                {
                    Problem(node, path, $"port {port} is already given to {other}", "give every service in every local environment its own port");
                }
                used.TryAdd(port, $"{service} in {environment.Name}");
            }
        }
    }

    /// <summary>Every service needs a way onto every kind of target there is: `local` settings and, for clusters, manifests.</summary>
    private void CheckDeployMethods(YamlMapping? servicesNode, List<EnvironmentConfig> environments, List<ServiceConfig> services)
    {
        foreach (var service in services)
        {
            var node = servicesNode?.Entries.FirstOrDefault(e => e.Key.Value == service.Name).Key;
            if (node is null)
            {
                continue;
            }
            var cluster = environments.FirstOrDefault(e => e.Target.Kubernetes is not null);
            var local = environments.FirstOrDefault(e => e.Target.Local is not null);
            if (cluster is not null && service.Deploy.Manifests is null)
            {
                Problem(node, $"services.{service.Name}.deploy", $"environment '{cluster.Name}' is a Kubernetes cluster but the service has no `manifests`", "add `manifests: deploy/k8s` (a directory of YAML in the repository)");
            }
            if (cluster is not null && service.Build.ImageRepository is null)
            {
                Problem(node, $"services.{service.Name}.build", $"environment '{cluster.Name}' is a Kubernetes cluster but the service builds no image", "build with `buildah`, `docker` or `external`, which name the image repository");
            }
            if (local is not null && service.Deploy.Local is null)
            {
                Problem(node, $"services.{service.Name}.deploy", $"environment '{local.Name}' is local but the service has no `local` settings", "add `local: { healthUrl: ... }` (and `command` unless it builds an image)");
            }
        }
    }

    private static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMapping map ? map.Entries.FirstOrDefault(e => e.Key.Value == key).Value : null;

    private void CheckName(YamlScalar name, string path, string what)
    {
        if (!NamePattern.IsMatch(name.Value))
        {
            Problem(name, path, $"'{name.Value}' is not a valid {what} name", "use lowercase letters, digits and dashes, starting with a letter (e.g. `dev-1`)");
        }
    }

    private void CheckPlaceholders(YamlScalar value, string path, params string[] allowed)
    {
        foreach (Match match in PlaceholderRegex().Matches(value.Value))
        {
            var name = match.Groups[1].Value;
            if (!allowed.Contains(name))
            {
                Problem(value, path, $"unknown placeholder {{{name}}}", $"use {string.Join(", ", allowed.Select(a => "{" + a + "}"))}");
            }
        }
    }

    private IEnumerable<(YamlScalar Key, YamlNode Value)> UniqueEntries(YamlMapping map, string path, string what)
    {
        var seen = new Dictionary<string, YamlScalar>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Entries)
        {
            if (seen.TryGetValue(key.Value, out var first))
            {
                Problem(key, $"{path}.{key.Value}", $"duplicate {what} '{key.Value}' (first defined at line {first.Line})", $"give every {what} a unique name");
                continue;
            }
            seen[key.Value] = key;
            yield return (key, value);
        }
    }

    private KeyReader Keys(YamlMapping map, string path, params string[] allowed)
    {
        var found = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Entries)
        {
            var where = path.Length == 0 ? key.Value : $"{path}.{key.Value}";
            if (!allowed.Contains(key.Value))
            {
                Problem(key, where, $"unknown key '{key.Value}'", $"allowed here: {string.Join(", ", allowed)}{Suggest(key.Value, allowed)}");
            }
            else if (!found.TryAdd(key.Value, value))
            {
                Problem(key, where, $"duplicate key '{key.Value}'", "keep one of them");
            }
        }
        return new KeyReader(found);
    }

    private static string Suggest(string value, IEnumerable<string> candidates)
    {
        var best = candidates
            .Select(c => (Candidate: c, Distance: EditDistance(value.ToLowerInvariant(), c.ToLowerInvariant())))
            .Where(c => c.Distance <= Math.Max(1, c.Candidate.Length / 3))
            .OrderBy(c => c.Distance)
            .FirstOrDefault();
        return best.Candidate is null ? "" : $"; did you mean '{best.Candidate}'?";
    }

    private static int EditDistance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var previous = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }
        return row[b.Length];
    }

    private YamlMapping? AsMapping(YamlNode node, string path)
    {
        if (node is YamlMapping map)
        {
            return map;
        }
        if (node is YamlScalar { IsNull: true } scalar)
        {
            return new YamlMapping(scalar.Line, scalar.Column, []);
        }
        Problem(node, path, "expected a mapping (key: value pairs)", "indent the keys below it, or write `{ key: value }`");
        return null;
    }

    private static bool IsNull(YamlNode node) => node is YamlScalar { IsNull: true };

    private YamlScalar? Str(YamlNode? node, string path)
    {
        if (node is null)
        {
            return null;
        }
        if (node is not YamlScalar scalar || scalar.IsNull)
        {
            Problem(node, path, "expected a string", "write a single value");
            return null;
        }
        return scalar with { Value = Expand(scalar, path) };
    }

    private string Expand(YamlScalar scalar, string path) =>
        SwappedReferenceRegex().Replace(scalar.Value, match =>
        {
            var name = match.Groups[1].Value;
            var value = _environment(name);
            if (value is null)
            {
                Problem(scalar, path, $"environment variable {name} is not set", $"export {name} before starting Onward, or write the value here");
                return "";
            }
            return value;
        });

    private int? Int(YamlNode? node, string path, int min, int max)
    {
        if (Str(node, path) is not { } scalar)
        {
            return null;
        }
        if (!int.TryParse(scalar.Value, out var value) || value < min || value > max)
        {
            Problem(scalar, path, $"'{scalar.Value}' is not a whole number from {min} to {max}", $"write a number between {min} and {max}");
            return null;
        }
        return value;
    }

    private bool? Bool(YamlNode? node, string path)
    {
        if (Str(node, path) is not { } scalar)
        {
            return null;
        }
        return scalar.Value switch
        {
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ => Invalid<bool?>(scalar, path, $"'{scalar.Value}' is not true or false", "write `true` or `false`", null),
        };
    }

    private TimeSpan? Duration(YamlNode? node, string path)
    {
        if (Str(node, path) is not { } scalar)
        {
            return null;
        }
        if (DurationText.TryParse(scalar.Value, out var duration))
        {
            return duration;
        }
        Problem(scalar, path, $"'{scalar.Value}' is not a duration", "write a number with a unit, e.g. `500ms`, `30s`, `10m`, `2h`, `1h30m`");
        return null;
    }

    private Regex? Pattern(YamlNode? node, string path)
    {
        if (Str(node, path) is not { } scalar)
        {
            return null;
        }
        try
        {
            return new Regex(scalar.Value, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            Problem(scalar, path, $"not a valid regular expression: {e.Message}", "quote the pattern in single quotes and check brackets and escapes, e.g. '^(\\d+\\.)+\\d+$'");
            return null;
        }
    }

    private List<YamlScalar> StringList(YamlNode node, string path)
    {
        if (node is not YamlSequence sequence)
        {
            Problem(node, path, "expected a list", "write `[a, b]` or one `- item` per line");
            return [];
        }
        var result = new List<YamlScalar>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            if (Str(sequence.Items[i], $"{path}[{i}]") is { } item)
            {
                result.Add(item);
            }
        }
        return result;
    }

    private T Invalid<T>(YamlNode node, string path, string message, string hint, T fallback)
    {
        Problem(node, path, message, hint);
        return fallback;
    }

    private void Problem(YamlNode node, string path, string message, string hint) =>
        Problem(node.Line, node.Column, path, message, hint);

    private void Problem(int line, int column, string path, string message, string hint) =>
        _problems.Add(new ConfigProblem(_file, line, column, path, message, hint));

    private sealed class KeyReader(Dictionary<string, YamlNode> found)
    {
        public YamlNode? Get(string key) => found.GetValueOrDefault(key);
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    private static partial Regex NameRegex();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex NamespaceRegex();

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex PlaceholderRegex();

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex EnvReferenceRegex();

    [GeneratedRegex("\\$\u27E8([A-Za-z_][A-Za-z0-9_]*)\u27E9")]
    private static partial Regex SwappedReferenceRegex();
}
