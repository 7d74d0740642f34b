using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Onward.Core.Messages;

namespace Onward.Core.Images;

/// <summary>
/// A container image reference, read once by the grammar of the distribution project
/// (https://github.com/distribution/reference, <c>reference.go</c> and <c>regexp.go</c>) and normalised the way docker
/// does (<c>normalize.go</c>): <c>acme/app</c> is <c>docker.io/acme/app</c>, <c>nginx</c> is
/// <c>docker.io/library/nginx</c>, <c>index.docker.io</c> is <c>docker.io</c>. Every layer (configuration, builds,
/// registries, manifests, the API) reads references through this one type, so that what the validator accepts is what
/// the builder and the cluster get.
/// </summary>
public sealed partial record ImageReference(string Registry, string Repository, string? Tag, string? Digest)
{
    public const string DockerHub = "docker.io";

    /// <summary>The longest repository path the grammar allows.</summary>
    public const int MaxPathLength = 255;

    /// <summary>What to ask the registry for: the digest when known, else the tag, else <c>latest</c>.</summary>
    public string Reference => Digest ?? Tag ?? "latest";

    /// <summary><c>host[:port]/path</c>, the image without tag or digest.</summary>
    public string Name => $"{Registry}/{Repository}";

    /// <summary>The host to send registry API requests to: Docker Hub's API answers at <c>registry-1.docker.io</c>.</summary>
    public string ApiHost => Registry == DockerHub ? "registry-1.docker.io" : Registry;

    public override string ToString() => Name + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    /// <summary>This image by digest alone: <c>host/path@sha256:…</c>.</summary>
    public ImageReference PinnedTo(string digest) => this with { Tag = null, Digest = digest };

    /// <exception cref="FormatException">Not an image reference; the message says why.</exception>
    public static ImageReference Parse(string text) =>
        TryParse(text, out var reference, out var problem) ? reference : throw new FormatException(problem);

    /// <summary>Reads a reference, with an optional tag and digest.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out ImageReference? reference, [NotNullWhen(false)] out string? problem)
    {
        reference = null;
        if (string.IsNullOrEmpty(text))
        {
            problem = "an image reference cannot be empty";
            return false;
        }
        if (IdentifierRegex().IsMatch(text))
        {
            problem = $"'{Shown(text)}' is a 64-digit hexadecimal id, which cannot be a repository name; write registry/name";
            return false;
        }
        var (registry, remainder) = SplitDomain(text);
        var match = ReferenceRegex().Match(registry + "/" + remainder);
        if (!match.Success)
        {
            var lowered = (registry + "/" + remainder).ToLowerInvariant();
            problem = ReferenceRegex().IsMatch(lowered) || ReferenceRegex().IsMatch(registry + "/" + LowerName(remainder))
                ? $"'{Shown(text)}' has uppercase letters in its repository name; repository names are lowercase (tags may mix cases)"
                : $"'{Shown(text)}' is not an image reference; write [registry[:port]/]path[:tag][@sha256:digest], e.g. registry.example.com/acme/app:1.0";
            return false;
        }
        var path = match.Groups["path"].Value;
        if (path.Length > MaxPathLength)
        {
            problem = $"the repository path of '{Shown(text)}' is {path.Length} characters long; the most is {MaxPathLength}";
            return false;
        }
        string? digest = match.Groups["digest"].Success ? match.Groups["digest"].Value : null;
        if (digest is not null && DigestProblem(digest) is { } digestProblem)
        {
            problem = $"'{Shown(text)}': {digestProblem}";
            return false;
        }
        reference = new ImageReference(match.Groups["domain"].Value, path, match.Groups["tag"].Success ? match.Groups["tag"].Value : null, digest);
        problem = null;
        return true;
    }

    /// <summary>Reads a repository without tag or digest, as <c>image:</c> in onward.yaml names one; null and the reason when it is not one.</summary>
    public static ImageReference? ParseRepository(string text, out string? problem)
    {
        if (!TryParse(text, out var reference, out problem))
        {
            return null;
        }
        if (reference.Tag is not null || reference.Digest is not null)
        {
            problem = $"'{Shown(text)}' names a {(reference.Digest is not null ? "digest" : "tag")}; give the repository alone (e.g. {reference.Name}): Onward adds the tags and pins the digest";
            return null;
        }
        return reference;
    }

    /// <summary>
    /// Splits off the registry as docker does: the first path component is a registry when it is <c>localhost</c>,
    /// holds a <c>.</c> or a <c>:</c>, or has uppercase letters; otherwise the image is on Docker Hub, where a name
    /// without a namespace is an official image under <c>library/</c>.
    /// </summary>
    private static (string Registry, string Remainder) SplitDomain(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return (DockerHub, "library/" + text);
        }
        var first = text[..slash];
        var rest = text[(slash + 1)..];
        var (registry, remainder) = first switch
        {
            "localhost" => (first, rest),
            "index.docker.io" => (DockerHub, rest),
            _ when first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) => (first, rest),
            _ when first.Any(char.IsAsciiLetterUpper) => (first, rest),
            _ => (DockerHub, text),
        };
        if (registry == DockerHub && !RemoteOf(remainder).Contains('/', StringComparison.Ordinal))
        {
            remainder = "library/" + remainder;
        }
        return (registry, remainder);
    }

    /// <summary>The path part of <c>path[:tag][@digest]</c>.</summary>
    private static string RemoteOf(string remainder)
    {
        var end = remainder.IndexOfAny([':', '@']);
        return end < 0 ? remainder : remainder[..end];
    }

    private static string LowerName(string remainder) => RemoteOf(remainder).ToLowerInvariant() + remainder[RemoteOf(remainder).Length..];

    /// <summary>Digests Onward can check: sha256 and sha512, by the length of their hexadecimal encoding (go-digest's rules).</summary>
    private static string? DigestProblem(string digest)
    {
        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        var (algorithm, hex) = (digest[..colon], digest[(colon + 1)..]);
        return algorithm switch
        {
            "sha256" when hex.Length != 64 => $"a sha256 digest has 64 hexadecimal digits, not {hex.Length}",
            "sha512" when hex.Length != 128 => $"a sha512 digest has 128 hexadecimal digits, not {hex.Length}",
            "sha256" or "sha512" when hex.Any(char.IsAsciiLetterUpper) => "digests are written in lowercase hexadecimal",
            "sha256" or "sha512" => null,
            _ => $"the digest algorithm '{algorithm}' is not supported; use sha256",
        };
    }

    /// <summary>Whether <paramref name="text"/> can be a tag (<c>[\w][\w.-]{0,127}</c>): a version such as <c>release/1.4</c> or <c>1.0+build</c> cannot.</summary>
    public static bool IsTag(string text) => TagRegex().IsMatch(text);

    private static string Shown(string text) => TextCut.After(text, 300);

    // domain := host [':' port]; host := domain-name | '[' IPv6 ']'; path := component ('/' component)*;
    // component := [a-z0-9]+ ((?:[._]|__|[-]+)[a-z0-9]+)*; tag := [\w][\w.-]{0,127} with ASCII \w; digest := algorithm ':' hex{32,}.
    [GeneratedRegex(@"^(?<domain>(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?)/(?<path>[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*)(?::(?<tag>[0-9A-Za-z_][0-9A-Za-z_.-]{0,127}))?(?:@(?<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex ReferenceRegex();

    [GeneratedRegex("^[0-9A-Za-z_][0-9A-Za-z_.-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagRegex();

    [GeneratedRegex("^[a-f0-9]{64}$")]
    private static partial Regex IdentifierRegex();
}
