using System.Text.RegularExpressions;

namespace Onward.Core.Configuration;

/// <summary>Reads <c>deploy.helm</c>: a chart in the repository, its values files, <c>set</c> values and release name.</summary>
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
        if (chart.Value.Contains("://", StringComparison.Ordinal) || keys.Get("version") is not null || keys.Get("name") is not null || keys.Get("credentials") is not null)
        {
            nodes.Problem(keys.Get("version") ?? keys.Get("name") ?? keys.Get("credentials") ?? chart, path + ".chart",
                "charts from an OCI registry or a chart repository are not supported by this version of Onward",
                "keep the chart in the service's repository and write its directory, e.g. `chart: ./chart` (without `version`, `name` or `credentials`)");
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
                foreach (var name in HelmConfig.PlaceholdersIn(text.Value).Where(n => !HelmConfig.SetPlaceholders.Contains(n)))
                {
                    nodes.Problem(text, at, $"unknown placeholder {{{name}}}", $"use {string.Join(", ", HelmConfig.SetPlaceholders.Select(p => "{" + p + "}"))}");
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
        return valid ? new HelmConfig(InRepository(chart.Value)!, values, set, releaseName?.Value ?? "") : null;
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
}
