using System.Text.Json;
using System.Text.Json.Nodes;
using Onward.Core.Configuration;
using Onward.Core.Images;
using Onward.Core.Releases;
using Onward.Integrations.Git;
using Onward.Integrations.ImageBuilds;
using YamlDotNet.Core;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// Reads a release's manifests for one environment, from whichever way the service keeps them: a directory of YAML and
/// JSON at the release's commit (read from the mirror, no checkout), a Kustomize overlay (built with <c>kustomize build</c>
/// or <c>kubectl kustomize</c> in a clean checkout of the commit), or <c>deploy.render.command</c> (run in a clean
/// checkout; its standard output is the manifests). Whatever goes wrong is said in a sentence naming the source.
/// </summary>
public sealed class ManifestSources(string dataDir, ChartFetcher? charts = null)
{
    private static readonly TimeSpan KustomizeTimeout = TimeSpan.FromMinutes(2);

    /// <param name="capabilities">The cluster as <c>helm template</c> is told of it, for a service deployed with <c>deploy.helm</c>.</param>
    public async Task<(List<ManifestDocument> Documents, string? Error)> ReadAsync(
        string mirror, Release release, ServiceConfig service, EnvironmentConfig environment, long deploymentId, CancellationToken cancellationToken,
        HelmCapabilities? capabilities = null)
    {
        if (service.Deploy.Helm is { } helm)
        {
            return await HelmAsync(mirror, release, service, environment, deploymentId, helm, capabilities, cancellationToken);
        }
        if (service.Deploy.Render is { } render)
        {
            return await RenderAsync(mirror, release, service, environment, deploymentId, render, cancellationToken);
        }
        var directory = service.Deploy.ManifestsFor(service.Name, environment.PathName)!;
        var tree = await ManifestFiles.ReadAsync(mirror, release.Commit, directory, cancellationToken);
        if (tree.Kustomization)
        {
            return await KustomizeAsync(mirror, release, directory, deploymentId, cancellationToken);
        }
        if (tree.Files.Count == 0)
        {
            return ([], $"there are no manifests (*.yaml, *.yml, *.json, or a kustomization.yaml) in {directory}/ at {Release.ShortHash(release.Commit)}; set `deploy.manifests` to the directory that holds them");
        }
        var documents = new List<ManifestDocument>();
        foreach (var (file, text) in tree.Files)
        {
            var json = file.EndsWith(".json", StringComparison.Ordinal);
            if (Parse(text, file, json, documents) is { } error)
            {
                return ([], error);
            }
        }
        return (documents, null);
    }

    private async Task<(List<ManifestDocument>, string?)> KustomizeAsync(
        string mirror, Release release, string directory, long deploymentId, CancellationToken cancellationToken)
    {
        var (file, arguments, shown) = RenderProcess.Find("kustomize") is { } kustomize
            ? (kustomize, new[] { "build", directory }, $"kustomize build {directory}")
            : RenderProcess.Find("kubectl") is { } kubectl
                ? (kubectl, new[] { "kustomize", directory }, $"kubectl kustomize {directory}")
                : (null, [], "");
        if (file is null)
        {
            return ([], $"{directory}/ is a Kustomize overlay but neither `kustomize` nor `kubectl` is on the server's PATH; install one of them");
        }
        return await InCheckoutAsync(mirror, release, deploymentId, shown, checkout =>
            RenderProcess.RunAsync(file, arguments, checkout, new Dictionary<string, string>(), KustomizeTimeout, cancellationToken), cancellationToken);
    }

    /// <summary>The pull request a preview's environment is for; empty elsewhere.</summary>
    private static string PreviewNumber(EnvironmentConfig environment) =>
        environment.Preview?.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "";

    private async Task<(List<ManifestDocument>, string?)> RenderAsync(
        string mirror, Release release, ServiceConfig service, EnvironmentConfig environment, long deploymentId, RenderConfig render, CancellationToken cancellationToken)
    {
        var ns = environment.Target.Kubernetes!.Namespace;
        var image = ImageReference.Parse(service.Build.ImageRepository!).PinnedTo(release.Digest!).ToString();
        var values = new Dictionary<string, string>
        {
            ["version"] = release.Version,
            ["commit"] = release.Commit,
            ["service"] = service.Name,
            ["environment"] = environment.Name,
            ["namespace"] = ns,
            ["image"] = image,
            ["number"] = PreviewNumber(environment),
        };
        var command = Placeholders.FillShell(render.Command, values);
        var variables = new Dictionary<string, string>(command.Environment)
        {
            ["ONWARD_VERSION"] = release.Version,
            ["ONWARD_COMMIT"] = release.Commit,
            ["ONWARD_SERVICE"] = service.Name,
            ["ONWARD_ENVIRONMENT"] = environment.Name,
            ["ONWARD_NAMESPACE"] = ns,
            ["ONWARD_IMAGE"] = image,
            ["ONWARD_PREVIEW_NUMBER"] = PreviewNumber(environment),
        };
        return await InCheckoutAsync(mirror, release, deploymentId, "the render command", checkout =>
            RenderProcess.RunAsync("/bin/sh", ["-c", command.Command], checkout, variables, render.Timeout, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// <c>helm template</c> of the chart in a clean checkout of the release's commit: its values files in order (a
    /// missing one is an error unless optional), <c>set</c> values each as a literal, the environment's namespace,
    /// CRDs included, tests left out, and the cluster's version and API versions. Hooks stay in what is rendered,
    /// for the target to run at their events (see <see cref="HelmHook"/>).
    /// </summary>
    private async Task<(List<ManifestDocument>, string?)> HelmAsync(
        string mirror, Release release, ServiceConfig service, EnvironmentConfig environment, long deploymentId, HelmConfig helm,
        HelmCapabilities? capabilities, CancellationToken cancellationToken)
    {
        if (RenderProcess.FindHelm() is not { } binary)
        {
            return ([], "`deploy.helm` needs helm (3.14 or later) on the server's PATH, or its path in ONWARD_HELM");
        }
        var ns = environment.Target.Kubernetes!.Namespace;
        var pinned = ImageReference.Parse(service.Build.ImageRepository!).PinnedTo(release.Digest!);
        var values = new Dictionary<string, string>
        {
            ["image"] = pinned.ToString(),
            ["image.repository"] = pinned.Name,
            ["image.digest"] = release.Digest!,
            ["version"] = release.Version,
            ["commit"] = release.Commit,
            ["environment"] = environment.Name,
            ["namespace"] = ns,
            ["service"] = service.Name,
        };
        // A preview's chart values can name its pull request (a host name per preview, say); empty elsewhere.
        values["number"] = PreviewNumber(environment);
        var name = helm.ReleaseName.Length > 0 ? helm.ReleaseName : service.Name;
        var chart = helm.Chart;
        var shown = $"helm template {name} {helm.Chart}";
        if (helm.FromRegistry || helm.FromRepository)
        {
            // The release renders the chart it was pinned to; its first deployment resolves the version and pins it.
            var (archive, pin, unavailable) = charts is null ? (null, null, "charts from a registry or repository cannot be fetched here") : await charts.ArchiveAsync(release, helm, cancellationToken);
            if (unavailable is not null)
            {
                return ([], unavailable);
            }
            (chart, shown) = (archive!, $"helm template {name} (chart {pin})");
        }
        string? missing = null;
        var (documents, error) = await InCheckoutAsync(mirror, release, deploymentId, shown, async checkout =>
        {
            var arguments = new List<string> { "template", name, chart, "--namespace", ns, "--include-crds", "--skip-tests" };
            foreach (var file in helm.Values)
            {
                var path = HelmConfig.Fill(file.Path, new Dictionary<string, string>(values) { ["environment"] = environment.PathName });
                if (File.Exists(Path.Combine(checkout, path)))
                {
                    arguments.AddRange(["--values", path]);
                }
                else if (!file.Optional)
                {
                    missing ??= path;
                }
            }
            foreach (var (key, value) in helm.Set)
            {
                arguments.AddRange(["--set-literal", $"{key}={HelmConfig.Fill(value, values)}"]);
            }
            arguments.AddRange(capabilities?.Arguments() ?? []);
            if (missing is not null)
            {
                return new RenderProcess.Outcome(0, "", "", false, false);
            }
            // helm keeps its caches and settings under the data directory, not in the home of whoever runs Onward.
            var home = Path.Combine(dataDir, "helm");
            var environmentVariables = new Dictionary<string, string>
            {
                ["HELM_CACHE_HOME"] = Path.Combine(home, "cache"),
                ["HELM_CONFIG_HOME"] = Path.Combine(home, "config"),
                ["HELM_DATA_HOME"] = Path.Combine(home, "data"),
            };
            return await RenderProcess.RunAsync(binary, arguments, checkout, environmentVariables, KustomizeTimeout, cancellationToken);
        }, cancellationToken);
        if (missing is not null)
        {
            return ([], $"the values file {missing} is not in the repository at {Release.ShortHash(release.Commit)}; add it, or mark it `{{ file: ..., optional: true }}` in `deploy.helm.values`");
        }
        if (error is not null)
        {
            return ([], error);
        }
        // Test hooks are for `helm test`, not for a release (helm leaves them out with --skip-tests; a chart may still name them).
        return (documents.Where(d => d.Body is not JsonObject body || HelmHook.Of(body) is not { IsTest: true }).ToList(), null);
    }

    /// <summary>Runs a renderer in a clean checkout of the release's commit, removed afterwards, and reads what it printed.</summary>
    private async Task<(List<ManifestDocument>, string?)> InCheckoutAsync(
        string mirror, Release release, long deploymentId, string shown, Func<string, Task<RenderProcess.Outcome>> run, CancellationToken cancellationToken)
    {
        // One checkout per rendering: a restore or self-heal may render a release again while another renders it.
        var checkout = Path.Combine(dataDir, "render", $"{deploymentId.ToString(System.Globalization.CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}"[..^24]);
        Directory.CreateDirectory(Path.GetDirectoryName(checkout)!);
        await WorkTree.CheckOutAsync(mirror, release.Commit, checkout, cancellationToken);
        RenderProcess.Outcome outcome;
        try
        {
            outcome = await run(checkout);
        }
        finally
        {
            Directory.Delete(checkout, recursive: true);
            await WorkTree.PruneAsync(mirror, CancellationToken.None);
        }
        var stderr = outcome.ErrorTail.Length == 0 ? "" : ":\n" + outcome.ErrorTail;
        if (outcome.TimedOut)
        {
            return ([], $"{shown} did not finish in time and was stopped{stderr}");
        }
        if (outcome.TooLarge)
        {
            return ([], $"{shown} printed more than {RenderProcess.MostOutput / 1024 / 1024} MiB of manifests and was stopped");
        }
        if (outcome.ExitCode != 0)
        {
            return ([], $"{shown} exited with {outcome.ExitCode}{stderr}");
        }
        var documents = new List<ManifestDocument>();
        if (Parse(outcome.Output, shown, json: false, documents) is { } error)
        {
            return ([], error);
        }
        if (!documents.Any(d => d.Body is JsonObject))
        {
            return ([], $"{shown} printed no objects{stderr}");
        }
        return (documents, null);
    }

    /// <summary>Adds the documents of one file or output (a <c>List</c> counts as its items); returns what is wrong with it, if anything.</summary>
    private static string? Parse(string text, string source, bool json, List<ManifestDocument> into)
    {
        List<JsonNode?> documents;
        try
        {
            documents = json ? [JsonNode.Parse(text)] : YamlDocuments.Read(text);
        }
        catch (Exception e) when (e is YamlException or JsonException)
        {
            return $"{source}: not valid {(json ? "JSON" : "YAML")}: {e.Message}";
        }
        var index = 0;
        foreach (var document in documents.SelectMany(Expand))
        {
            index++;
            if (document is not null)
            {
                into.Add(new ManifestDocument($"{source} (document {index})", document));
            }
        }
        return null;
    }

    private static IEnumerable<JsonNode?> Expand(JsonNode? document) =>
        document is JsonObject list && (list["kind"] as JsonValue)?.ToString() is { } kind && kind.EndsWith("List", StringComparison.Ordinal) && list["items"] is JsonArray items
            ? items.Select(i => i?.DeepClone())
            : [document];
}
