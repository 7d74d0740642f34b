using System.Text.RegularExpressions;
using Onward.Core.Releases;

namespace Onward.Core.Configuration;

/// <summary>
/// <c>deploy.helm</c>: a Helm chart, kept in the service's repository or fetched from an OCI registry or a chart
/// repository (pinned per release by digest), rendered with <c>helm template</c> for each environment with values files
/// from the release's commit in order and <c>set</c> values (placeholders filled in, each passed as a literal value,
/// never through a shell).
/// </summary>
/// <param name="Chart">The chart's directory in the repository (e.g. <c>chart</c>), an <c>oci://</c> reference, or a chart repository's URL.</param>
/// <param name="Values">Values files in the repository, in order; <c>{environment}</c> and <c>{service}</c> may appear in their paths.</param>
/// <param name="Set">Values set one by one (<c>--set-literal</c>), after the files.</param>
/// <param name="ReleaseName">Helm's release name; the service's name when not given.</param>
public sealed partial record HelmConfig(string Chart, IReadOnlyList<HelmValuesFile> Values, IReadOnlyDictionary<string, string> Set, string ReleaseName)
{
    /// <summary>The version or range of a chart from a registry or repository (required for those); null for a chart in the repository.</summary>
    public ChartVersionRange? Version { get; init; }

    /// <summary>The chart's name in a chart repository's index.</summary>
    public string? Name { get; init; }

    /// <summary>Basic credentials for the chart's registry or repository.</summary>
    public ChartCredentials? Credentials { get; init; }

    /// <summary>From an OCI registry: <c>oci://host/path/name</c>.</summary>
    public bool FromRegistry => Chart.StartsWith("oci://", StringComparison.Ordinal);

    /// <summary>From a chart repository: its URL, with <see cref="Name"/>.</summary>
    public bool FromRepository => Chart.StartsWith("https://", StringComparison.Ordinal) || Chart.StartsWith("http://", StringComparison.Ordinal);

    /// <summary>What <c>set</c> values may name: the image pinned by digest and its parts, and where the release goes.</summary>
    public static readonly string[] SetPlaceholders = ["image", "image.repository", "image.digest", "version", "commit", "environment", "namespace", "service", "number"];

    /// <summary>What the paths of values files may name.</summary>
    public static readonly string[] PathPlaceholders = ["environment", "service"];

    /// <summary>The placeholders in <paramref name="template"/> (dotted names included).</summary>
    public static IEnumerable<string> PlaceholdersIn(string template) => PlaceholderRegex().Matches(template).Select(m => m.Groups[1].Value);

    /// <summary>Fills the placeholders of <paramref name="template"/> from <paramref name="values"/>.</summary>
    public static string Fill(string template, IReadOnlyDictionary<string, string> values) =>
        PlaceholderRegex().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var value) ? value : m.Value);

    [GeneratedRegex(@"\{([A-Za-z]+(?:\.[A-Za-z]+)?)\}")]
    private static partial Regex PlaceholderRegex();
}

/// <summary>One values file of a chart; a missing one is an error unless it is optional.</summary>
public sealed record HelmValuesFile(string Path, bool Optional);

/// <summary>A user name and password for a chart's registry or repository; the password is never shown.</summary>
public sealed record ChartCredentials(string Username, string Password)
{
    public override string ToString() => $"{Username}:***";
}
