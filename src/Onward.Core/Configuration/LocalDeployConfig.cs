namespace Onward.Core.Configuration;

/// <summary>
/// How a release runs as a process on the <c>local</c> target. For an image release <see cref="Command"/> may be left
/// out: the image's own entrypoint and command run, from the unpacked image.
/// </summary>
public sealed record LocalDeployConfig(string? Command, string HealthUrl)
{
    /// <summary><c>protocol: tcp</c>: the stable port relays connections as they are (no HTTP, so no canary).</summary>
    public bool Tcp { get; init; }
}
