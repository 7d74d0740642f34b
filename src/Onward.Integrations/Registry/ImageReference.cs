using System.Text.RegularExpressions;

namespace Onward.Integrations.Registry;

/// <summary><c>host[:port]/path[:tag][@sha256:…]</c>. The registry host is always written out.</summary>
public sealed partial record ImageReference(string Registry, string Repository, string? Tag, string? Digest)
{
    /// <summary>What to ask the registry for: the digest when known, else the tag, else <c>latest</c>.</summary>
    public string Reference => Digest ?? Tag ?? "latest";

    public string Name => $"{Registry}/{Repository}";

    public override string ToString() => Name + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    /// <exception cref="FormatException">Not a reference with a registry host.</exception>
    public static ImageReference Parse(string text)
    {
        var match = ReferenceRegex().Match(text.Trim());
        if (!match.Success)
        {
            throw new FormatException($"'{text}' is not an image reference; write it as registry.example.com[:port]/name[:tag][@sha256:…]");
        }
        return new ImageReference(
            match.Groups["registry"].Value,
            match.Groups["repository"].Value,
            match.Groups["tag"].Success ? match.Groups["tag"].Value : null,
            match.Groups["digest"].Success ? match.Groups["digest"].Value : null);
    }

    // The first path component must look like a host (a dot, a port, or localhost): Onward never guesses a default registry.
    [GeneratedRegex(@"^(?<registry>(?:[a-zA-Z0-9-]+\.[a-zA-Z0-9.-]+|[a-zA-Z0-9.-]+:[0-9]+|localhost)(?::[0-9]+)?)/(?<repository>[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$")]
    private static partial Regex ReferenceRegex();
}
