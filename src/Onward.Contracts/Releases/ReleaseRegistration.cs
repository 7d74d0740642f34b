namespace Onward.Contracts.Releases;

/// <summary>
/// The body of <c>POST /api/v1/releases</c>: an external CI built and pushed <see cref="Image"/> (a tag or a digest
/// reference) from <see cref="Commit"/>; <see cref="Ref"/> (a branch or tag name, default the main branch) decides
/// the version label as for Onward's own builds.
/// </summary>
public sealed record ReleaseRegistration(string? Service, string? Commit, string? Ref, string? Image);
