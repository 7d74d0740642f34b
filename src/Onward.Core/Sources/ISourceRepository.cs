namespace Onward.Core.Sources;

/// <summary>A service's git repository, seen through a mirror Onward keeps. Implemented with the git CLI.</summary>
public interface ISourceRepository
{
    /// <summary>Fetches the repository into the mirror and lists its branch and tag heads.</summary>
    Task<IReadOnlyList<RefHead>> FetchAsync(string service, RepositoryAddress repository, CancellationToken cancellationToken);

    /// <summary>
    /// Fetches one ref the host keeps a pull request's head under (<c>refs/pull/N/head</c>; a fork's branch is not in
    /// the repository) into the mirror, kept there as <c>refs/onward/previews/N</c>; false when the host has no such ref.
    /// </summary>
    Task<bool> FetchPreviewHeadAsync(string service, RepositoryAddress repository, string headRef, long number, CancellationToken cancellationToken);

    /// <summary>The commit an object id stands for (an annotated tag peeled to its commit), or null when the mirror lacks it.</summary>
    Task<string?> ResolveCommitAsync(string service, string objectId, CancellationToken cancellationToken);

    /// <summary>How <paramref name="candidate"/> relates to <paramref name="current"/>; fetches first when a commit is unknown.</summary>
    Task<Ancestry> CompareAsync(string service, RepositoryAddress repository, string current, string candidate, CancellationToken cancellationToken);

    /// <summary>A text file at a commit of the service's mirror (up to <paramref name="mostBytes"/>); null when the commit has no such file.</summary>
    Task<string?> ReadFileAsync(string service, string commit, string path, int mostBytes, CancellationToken cancellationToken);

    /// <summary>
    /// The commits reachable from <paramref name="to"/> but not from <paramref name="notIn"/> (all its history when
    /// null), newest first, at most <paramref name="most"/>; empty when the mirror lacks either.
    /// </summary>
    Task<IReadOnlyList<CommitInfo>> CommitsAsync(string service, string? notIn, string to, int most, CancellationToken cancellationToken);

    /// <summary>The first line of each commit's message, for the commits the mirror has (others are left out).</summary>
    Task<IReadOnlyDictionary<string, string>> SubjectsAsync(string service, IReadOnlyCollection<string> commits, CancellationToken cancellationToken);
}
