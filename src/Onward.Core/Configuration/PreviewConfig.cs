using System.Text.RegularExpressions;

namespace Onward.Core.Configuration;

/// <summary>
/// <c>services.S.previews</c>: every pull request whose head branch matches <see cref="Branches"/> gets an environment
/// of its own, <c>{service}-pr-{number}</c>, with the target and verification of <see cref="From"/>.
/// </summary>
/// <param name="From">The environment whose target a preview copies (its cluster, or the local target).</param>
/// <param name="Branches">Which head branches get a preview; null: all.</param>
/// <param name="Ttl">A preview without a push this long is destroyed.</param>
/// <param name="Max">How many previews of the service run at once; more wait, oldest first.</param>
public sealed record PreviewConfig(string From, Regex? Branches, TimeSpan Ttl, int Max)
{
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(72);

    public const int DefaultMax = 10;

    /// <summary>Kubernetes: the namespace of a preview, with <c>{number}</c> and <c>{service}</c>; Onward creates and deletes it. Null: <c>{service}-pr-{number}</c>.</summary>
    public string? Namespace { get; init; }

    /// <summary>The namespace of pull request <paramref name="number"/>'s preview.</summary>
    public string NamespaceOf(string service, long number) => Fill(Namespace ?? "{service}-pr-{number}", service, number);

    /// <summary>Local target: the stable ports previews take, lowest free first; null: any free port.</summary>
    public (int First, int Last)? Ports { get; init; }

    /// <summary>The address a preview is reached at (Kubernetes: the team's ingress), with <c>{number}</c> and <c>{service}</c>; null: the local target's stable port.</summary>
    public string? Url { get; init; }

    /// <summary>
    /// <c>forks: true</c>: pull requests from forks get previews too. Off by default: a fork's head is code from
    /// outside the team, and a preview builds and runs it on Onward's builders and targets.
    /// </summary>
    public bool Forks { get; init; }

    /// <summary>Where <c>previews</c> was written in onward.yaml.</summary>
    public ConfigPosition At { get; init; }

    /// <summary>The environment of pull request <paramref name="number"/> of <paramref name="service"/>.</summary>
    public static string EnvironmentName(string service, long number) => $"{service}-pr-{number}";

    /// <summary>The pull request whose preview <paramref name="environment"/> is, by its name; null when it is not a preview's name.</summary>
    public static long? NumberOf(string service, string environment) =>
        environment.StartsWith(service + "-pr-", StringComparison.Ordinal) && long.TryParse(environment.AsSpan(service.Length + 4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number : null;

    /// <summary>Whether a pull request from <paramref name="branch"/> gets a preview.</summary>
    public bool Takes(string branch) => Branches?.IsMatch(branch) ?? true;

    /// <summary>Why a pull request gets no preview; null when it gets one.</summary>
    public string? Refuses(string branch, bool fromFork) =>
        fromFork && !Forks ? "it comes from a fork, and previews.forks is off (a fork's code is built and run only with `forks: true`)"
        : !Takes(branch) ? $"branch '{branch}' does not match previews.branches {Branches}"
        : null;

    /// <summary><paramref name="template"/> with <c>{service}</c> and <c>{number}</c> filled in.</summary>
    public static string Fill(string template, string service, long number) =>
        template.Replace("{service}", service, StringComparison.Ordinal).Replace("{number}", number.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
}
