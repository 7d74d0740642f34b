using Onward.Core.Releases;

namespace Onward.Core.Webhooks;

/// <summary>One ref a push changed, as the provider reported it.</summary>
/// <param name="Commit">The new object the ref points at (for an annotated tag possibly the tag object); null when deleted.</param>
/// <param name="Forced">Whether the provider says the push was forced; null when it does not say (GitLab, Gitea).</param>
public sealed record RefChange(string Ref, RefKind Kind, string Name, string? Commit, bool Deleted, bool? Forced);
