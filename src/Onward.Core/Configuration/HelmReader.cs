using System.Text.RegularExpressions;
using Onward.Core.Images;
using Onward.Core.Releases;

namespace Onward.Core.Configuration;

/// <summary>Reads <c>deploy.helm</c>: a chart in the repository or from a registry or repository (with its version and credentials), its values files, <c>set</c> values and release name.</summary>
public sealed partial class HelmReader(NodeReader nodes)
{
    public HelmConfig? Read(YamlNode node, string path)
    {
        if (nodes.AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = nodes.Keys(map, path, "chart", "version", "name", "values", "set", "releaseName", "credentials");
        var chart = nodes.Text(keys.Get("chart"), path + ".chart");
        if (chart is null)
        {
            nodes.Problem(map, path, "missing `chart`", "name the chart's directory in the service's repository, e.g. `chart: ./chart`");
            return null;
        }
        var valid = true;
        var remote = chart.Value.StartsWith("oci://", StringComparison.Ordinal) || chart.Value.StartsWith("https://", StringComparison.Ordinal)
            || chart.Value.StartsWith("http://", StringComparison.Ordinal);
        ChartVersionRange? version = null;
        string? name = null;
        ChartCredentials? credentials = null;
        if (remote)
        {
            valid &= CheckLocation(chart, path + ".chart", keys.Get("name"));
            var versionNode = nodes.Text(keys.Get("version"), path + ".version");
            if (versionNode is null)
            {
                nodes.Problem(keys.Get("version") ?? chart, path + ".version", "missing `version`: a chart from a registry or repository is pinned per release",
                    "write the chart's version, e.g. `version: 1.4.2`, or a range resolved once per release, e.g. `version: ~1.4`");
                valid = false;
            }
            else if ((version = ChartVersionRange.Parse(versionNode.Value, out var problem)) is null)
            {
                nodes.Problem(versionNode, path + ".version", $"'{versionNode.Value}' is not a chart version or range: {problem}",
                    "write a version like `1.4.2`, or a range like `~1.4`, `^1.2`, `1.4.x` or `>=1.2 <2`");
                valid = false;
            }
            name = nodes.Text(keys.Get("name"), path + ".name")?.Value;
            credentials = ReadCredentials(keys.Get("credentials"), path + ".credentials", chart.Value);
            valid &= keys.Get("credentials") is null || credentials is not null;
        }
        else if (chart.Value.Contains("://", StringComparison.Ordinal))
        {
            nodes.Problem(chart, path + ".chart", $"'{chart.Value}' is not a chart Onward can fetch",
                "write `oci://registry/path/name` for a registry, an https:// URL with `name:` for a chart repository, or a directory in the service's repository");
            valid = false;
        }
        else if ((keys.Get("version") ?? keys.Get("name") ?? keys.Get("credentials")) is { } extra)
        {
            nodes.Problem(extra, path, "`version`, `name` and `credentials` are for charts from a registry or repository",
                "a chart in the service's repository is rendered as it is at the release's commit; leave them out");
            valid = false;
        }
        else if (InRepository(chart.Value) is null)
        {
            nodes.Problem(chart, path + ".chart", $"'{chart.Value}' leaves the repository", "give a directory inside the repository, e.g. `./chart`");
            valid = false;
        }
        var values = new List<HelmValuesFile>();
        if (keys.Get("values") is { } valuesNode)
        {
            if (valuesNode is not YamlSequence list)
            {
                nodes.Problem(valuesNode, path + ".values", "expected a list", "write `values: [deploy/values.yaml, \"deploy/values-{environment}.yaml\"]`");
                valid = false;
            }
            else
            {
                for (var i = 0; i < list.Items.Count; i++)
                {
                    var at = $"{path}.values[{i}]";
                    var (file, optional) = list.Items[i] switch
                    {
                        YamlScalar scalar => (nodes.Text(scalar, at), false),
                        YamlMapping entry => ReadEntry(entry, at),
                        var other => (nodes.Invalid<YamlScalar?>(other, at, "expected a path", "write a path, or `{ file: PATH, optional: true }`", null), false),
                    };
                    if (file is null)
                    {
                        valid = false;
                        continue;
                    }
                    nodes.CheckPlaceholders(file, at, HelmConfig.PathPlaceholders);
                    if (InRepository(file.Value) is not { } inside)
                    {
                        nodes.Problem(file, at, $"'{file.Value}' leaves the repository", "give a file inside the repository, e.g. `deploy/values.yaml`");
                        valid = false;
                        continue;
                    }
                    values.Add(new HelmValuesFile(inside, optional));
                }
            }
        }
        var set = new Dictionary<string, string>(StringComparer.Ordinal);
        if (keys.Get("set") is { } setNode && nodes.AsMapping(setNode, path + ".set") is { } setMap)
        {
            foreach (var (key, value) in nodes.UniqueEntries(setMap, path + ".set", "value"))
            {
                var at = $"{path}.set.{key.Value}";
                if (!SetKeyRegex().IsMatch(key.Value))
                {
                    nodes.Problem(key, at, $"'{key.Value}' is not a value's path", "write it with dots, e.g. `image.repository` or `ingress.hosts[0]`");
                    valid = false;
                    continue;
                }
                if (nodes.Text(value, at) is not { } text)
                {
                    valid = false;
                    continue;
                }
                foreach (var unknown in HelmConfig.PlaceholdersIn(text.Value).Where(n => !HelmConfig.SetPlaceholders.Contains(n)))
                {
                    nodes.Problem(text, at, $"unknown placeholder {{{unknown}}}", $"use {string.Join(", ", HelmConfig.SetPlaceholders.Select(p => "{" + p + "}"))}");
                    valid = false;
                }
                set[key.Value] = text.Value;
            }
        }
        var releaseName = nodes.Text(keys.Get("releaseName"), path + ".releaseName");
        if (releaseName is not null && !ReleaseNameRegex().IsMatch(releaseName.Value))
        {
            nodes.Problem(releaseName, path + ".releaseName", $"'{releaseName.Value}' is not a Helm release name", "use lowercase letters, digits and dashes, at most 53, starting with a letter");
            valid = false;
        }
        return valid
            ? new HelmConfig(remote ? chart.Value : InRepository(chart.Value)!, values, set, releaseName?.Value ?? "") { Version = version, Name = name, Credentials = credentials }
            : null;
    }

    /// <summary>An <c>oci://host/path/name</c> reference without tag or digest, or a chart repository's URL with <c>name</c>.</summary>
    private bool CheckLocation(YamlScalar chart, string path, YamlNode? name)
    {
        if (chart.Value.StartsWith("oci://", StringComparison.Ordinal))
        {
            var reference = chart.Value["oci://".Length..];
            if (name is not null)
            {
                nodes.Problem(name, path, "`name` is for chart repositories", "an OCI reference names the chart itself: leave `name` out");
                return false;
            }
            if (ImageReference.ParseRepository(reference, out var problem) is null || !reference.Contains('/', StringComparison.Ordinal))
            {
                nodes.Problem(chart, path, $"'{chart.Value}' is not a chart in a registry{(problem is null ? "" : ": " + problem)}",
                    "write `oci://registry.example.com/charts/shop`, the version in `version`");
                return false;
            }
            return true;
        }
        if (!Uri.TryCreate(chart.Value, UriKind.Absolute, out var url) || url.Query.Length > 0 || url.Fragment.Length > 0 || url.UserInfo.Length > 0)
        {
            nodes.Problem(chart, path, $"'{chart.Value}' is not a chart repository's URL", "write its address, e.g. `https://charts.example.com/`, credentials in `credentials`");
            return false;
        }
        if (name is null)
        {
            nodes.Problem(chart, path, "a chart repository needs the chart's `name`", "write `name: shop` beside `chart`");
            return false;
        }
        if (nodes.Text(name, path) is { } text && !ChartNameRegex().IsMatch(text.Value))
        {
            nodes.Problem(name, path, $"'{text.Value}' is not a chart's name", "use lowercase letters, digits, dashes, underscores and dots, as in the repository's index");
            return false;
        }
        return true;
    }

    private ChartCredentials? ReadCredentials(YamlNode? node, string path, string chart)
    {
        if (node is null || nodes.AsMapping(node, path) is not { } map)
        {
            return null;
        }
        var keys = nodes.Keys(map, path, "username", "password");
        var username = nodes.Text(keys.Get("username"), path + ".username");
        var password = nodes.Text(keys.Get("password"), path + ".password");
        if (username is null || password is null)
        {
            nodes.Problem(map, path, "credentials need `username` and `password`", "write `{ username: robot, password: ${CHART_PASSWORD} }`");
            return null;
        }
        if (Uri.TryCreate(chart.Replace("oci://", "http://", StringComparison.Ordinal), UriKind.Absolute, out var url) && chart.StartsWith("http://", StringComparison.Ordinal) && !url.IsLoopback)
        {
            nodes.Problem(map, path, "the credentials would cross the network in the clear (http://)", "serve the chart repository over https");
            return null;
        }
        return new ChartCredentials(username.Value, password.Value);
    }

    private (YamlScalar? File, bool Optional) ReadEntry(YamlMapping entry, string at)
    {
        var keys = nodes.Keys(entry, at, "file", "optional");
        var file = nodes.Text(keys.Get("file"), at + ".file");
        if (file is null)
        {
            nodes.Problem(entry, at, "missing `file`", "write `{ file: deploy/values-{environment}.yaml, optional: true }`");
        }
        return (file, nodes.Flag(keys.Get("optional"), at + ".optional") ?? false);
    }

    /// <summary>The path as it is in the repository (no leading ./ or trailing /), or null when it leaves it.</summary>
    private static string? InRepository(string path)
    {
        var trimmed = path.Trim();
        if (trimmed.StartsWith("./", StringComparison.Ordinal))
        {
            trimmed = trimmed[2..];
        }
        trimmed = trimmed.TrimEnd('/');
        return trimmed.Length == 0 || Path.IsPathRooted(trimmed) || trimmed.Split('/').Contains("..") ? (trimmed == "." ? "." : null) : trimmed;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]+(\[[0-9]+\])?(\.[A-Za-z0-9_-]+(\[[0-9]+\])?)*$")]
    private static partial Regex SetKeyRegex();

    [GeneratedRegex(@"^[a-z]([-a-z0-9]{0,51}[a-z0-9])?$")]
    private static partial Regex ReleaseNameRegex();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9_.]{0,98}[a-z0-9])?$")]
    private static partial Regex ChartNameRegex();
}
