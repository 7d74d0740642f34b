namespace Onward.Integrations.Registry;

/// <summary>The parts of an image's config that running it and checking it need.</summary>
public sealed record ImageConfig(
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<string> Entrypoint,
    IReadOnlyList<string> Cmd,
    IReadOnlyList<string> Env,
    string? WorkingDir);
