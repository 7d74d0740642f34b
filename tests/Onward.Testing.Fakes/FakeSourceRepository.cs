using Onward.Core.Releases;
using Onward.Core.Sources;

namespace Onward.Testing.Fakes;

/// <summary>A repository's history in memory: heads, and each commit's parent, so that ancestry is known without git.</summary>
public sealed class FakeSourceRepository : ISourceRepository
{
    private readonly Dictionary<string, string?> _parents = new(StringComparer.Ordinal);

    public List<RefHead> Heads { get; } = [];

    public int Fetches { get; private set; }

    /// <summary>Adds a commit on top of <paramref name="parent"/> (null for a root) and returns its id.</summary>
    public string Commit(string? parent, string? id = null)
    {
        id ??= Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + "00000000";
        _parents[id] = parent;
        return id;
    }

    public void Head(string name, string commit, RefKind kind = RefKind.Branch)
    {
        Heads.RemoveAll(h => h.Name == name && h.Kind == kind);
        Heads.Add(new RefHead(name, kind, commit));
    }

    public Task<IReadOnlyList<RefHead>> FetchAsync(string service, RepositoryAddress repository, CancellationToken cancellationToken)
    {
        Fetches++;
        return Task.FromResult<IReadOnlyList<RefHead>>(Heads.ToList());
    }

    public Task<bool> FetchPreviewHeadAsync(string service, RepositoryAddress repository, string headRef, long number, CancellationToken cancellationToken) =>
        Task.FromResult(false);

    public Task<string?> ResolveCommitAsync(string service, string objectId, CancellationToken cancellationToken) =>
        Task.FromResult(_parents.ContainsKey(objectId) ? objectId : null);

    /// <summary>Files at commits, as <see cref="ReadFileAsync"/> answers them.</summary>
    public Dictionary<(string Commit, string Path), string> Files { get; } = [];

    public Task<string?> ReadFileAsync(string service, string commit, string path, int mostBytes, CancellationToken cancellationToken) =>
        Task.FromResult(Files.TryGetValue((commit, path), out var text) ? text : null);

    public Task<IReadOnlyDictionary<string, string>> SubjectsAsync(string service, IReadOnlyCollection<string> commits, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(commits.Where(_parents.ContainsKey).ToDictionary(c => c, c => $"commit {c[..7]}"));

    public Task<Ancestry> CompareAsync(string service, RepositoryAddress repository, string current, string candidate, CancellationToken cancellationToken)
    {
        if (current == candidate)
        {
            return Task.FromResult(new Ancestry(AncestryRelation.Same, current));
        }
        if (!_parents.ContainsKey(current) || !_parents.ContainsKey(candidate))
        {
            return Task.FromResult(new Ancestry(AncestryRelation.Unknown, null));
        }
        var fromCandidate = Line(candidate);
        var fromCurrent = Line(current);
        return Task.FromResult(fromCandidate.Contains(current) ? new Ancestry(AncestryRelation.Descendant, current)
            : fromCurrent.Contains(candidate) ? new Ancestry(AncestryRelation.Ancestor, candidate)
            : fromCandidate.FirstOrDefault(fromCurrent.Contains) is { } mergeBase ? new Ancestry(AncestryRelation.Diverged, mergeBase)
            : new Ancestry(AncestryRelation.Unrelated, null));
    }

    /// <summary>The fake's commits have no dates: each says the start of the Unix epoch.</summary>
    public Task<IReadOnlyList<CommitInfo>> CommitsAsync(string service, string? notIn, string to, int most, CancellationToken cancellationToken)
    {
        var excluded = notIn is null ? [] : Line(notIn).ToHashSet(StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<CommitInfo>>(_parents.ContainsKey(to)
            ? Line(to).TakeWhile(c => !excluded.Contains(c)).Take(most).Select(c => new CommitInfo(c, DateTimeOffset.UnixEpoch, $"commit {c[..7]}")).ToList()
            : []);
    }

    private List<string> Line(string commit)
    {
        var line = new List<string>();
        for (string? at = commit; at is not null; at = _parents.GetValueOrDefault(at))
        {
            line.Add(at);
        }
        return line;
    }
}
