namespace Onward.Core.Sources;

/// <summary>A commit with when it was made (its committer date) and the first line of its message.</summary>
public sealed record CommitInfo(string Commit, DateTimeOffset CommittedAt, string Subject);
