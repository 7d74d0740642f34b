using System.Collections.Concurrent;
using Onward.Core.Releases;
using Onward.Core.Sources;
using Onward.Core.Messages;

namespace Onward.Integrations.Git;

/// <summary>
/// Each service's repository as a bare mirror under <c>dataDir/mirrors</c>, fetched with the git CLI. Builds clone from
/// the mirror; nothing ever checks out inside it.
/// </summary>
public sealed class GitSourceRepository(string dataDir) : ISourceRepository
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Service, string Current, string Candidate), Ancestry> _ancestry = new();
    private readonly ConcurrentDictionary<string, string> _lastRefs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<CommitGraph?>> _graphs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _subjects = new(StringComparer.Ordinal);

    public string MirrorPath(string service) => Path.Combine(dataDir, "mirrors", service + ".git");

    public async Task<IReadOnlyList<RefHead>> FetchAsync(string service, RepositoryAddress repository, CancellationToken cancellationToken)
    {
        var mirror = MirrorPath(service);
        var gate = _locks.GetOrAdd(service, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            // Replicas on one host share the mirrors: one fetch at a time across processes too, since git refuses a
            // second one on locked refs instead of waiting for it.
            Directory.CreateDirectory(Path.Combine(dataDir, "mirrors"));
            using var turn = await HostLock.TakeAsync(mirror + ".fetching", cancellationToken);
            if (!Directory.Exists(Path.Combine(mirror, "objects")))
            {
                Directory.CreateDirectory(mirror);
                await GitCli.RequireAsync(mirror, ["init", "--quiet", "--bare"], cancellationToken);
            }
            // Explicit refspecs instead of --mirror: only branches and tags matter, and --prune drops deleted refs.
            // The URL goes without credentials; those of an HTTP(S) URL reach git as a header in its environment,
            // scoped to that URL, so that no command line (visible to every user in `ps`) and no error message holds them.
            await GitCli.RequireAsync(mirror,
                ["fetch", "--quiet", "--prune", "--prune-tags", "--force", "--end-of-options", repository.Url, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"],
                cancellationToken, CredentialsOf(repository));
            await WorkTree.PruneAsync(mirror, cancellationToken);
            // %(*objectname) is the commit an annotated tag points at; lightweight tags and branches leave it empty.
            var output = await GitCli.RequireAsync(mirror,
                ["for-each-ref", "--format=%(refname) %(objectname) %(*objectname)", "refs/heads", "refs/tags"],
                cancellationToken);
            if (!_lastRefs.TryGetValue(service, out var last) || last != output)
            {
                // A commit-graph file gives git generation numbers, so that ancestry questions on long histories do
                // not walk every commit (https://git-scm.com/docs/commit-graph). Written only when refs changed;
                // --split adds a small layer instead of rewriting the whole file.
                await GitCli.RequireAsync(mirror, ["commit-graph", "write", "--reachable", "--split"], cancellationToken);
                _lastRefs[service] = output;
                _graphs.TryRemove(service, out _);
            }
            var heads = new List<RefHead>();
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var commit = parts.Length > 2 ? parts[2] : parts[1];
                if (parts[0].StartsWith("refs/heads/", StringComparison.Ordinal))
                {
                    heads.Add(new RefHead(parts[0]["refs/heads/".Length..], RefKind.Branch, commit));
                }
                else if (parts[0].StartsWith("refs/tags/", StringComparison.Ordinal))
                {
                    heads.Add(new RefHead(parts[0]["refs/tags/".Length..], RefKind.Tag, commit));
                }
            }
            return heads;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<bool> FetchPreviewHeadAsync(string service, RepositoryAddress repository, string headRef, long number, CancellationToken cancellationToken)
    {
        if (!RefName.IsValid(headRef) || !headRef.StartsWith("refs/", StringComparison.Ordinal))
        {
            return false;
        }
        var mirror = MirrorPath(service);
        var gate = _locks.GetOrAdd(service, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (!Directory.Exists(Path.Combine(mirror, "objects")))
            {
                return false;
            }
            using var turn = await HostLock.TakeAsync(mirror + ".fetching", cancellationToken);
            var result = await GitCli.RunAsync(mirror,
                ["fetch", "--quiet", "--force", "--end-of-options", repository.Url, $"+{headRef}:refs/onward/previews/{number}"], cancellationToken, CredentialsOf(repository));
            return result.ExitCode == 0;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<string?> ResolveCommitAsync(string service, string objectId, CancellationToken cancellationToken)
    {
        var mirror = MirrorPath(service);
        // Only an object id (or its abbreviation) is looked up: never a revision expression or an option.
        if (!Directory.Exists(mirror) || objectId.Length is < 4 or > 64 || !objectId.All(char.IsAsciiHexDigit))
        {
            return null;
        }
        var result = await GitCli.RunAsync(mirror, ["rev-parse", "--verify", "--quiet", "--end-of-options", objectId + "^{commit}"], cancellationToken);
        return result.Ok ? result.Output.Trim() : null;
    }

    public async Task<IReadOnlyList<CommitInfo>> CommitsAsync(string service, string? notIn, string to, int most, CancellationToken cancellationToken)
    {
        var mirror = MirrorPath(service);
        if (!Directory.Exists(mirror) || !IsObjectId(to) || (notIn is not null && !IsObjectId(notIn)))
        {
            return [];
        }
        // NUL-separated fields, one commit per line: the subject may hold any other character.
        var result = await GitCli.RunAsync(mirror,
            ["log", $"--max-count={most}", "--format=%H%x00%ct%x00%s", "--end-of-options", .. notIn is null ? new[] { to } : [to, "^" + notIn]], cancellationToken);
        if (!result.Ok)
        {
            return [];
        }
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\0'))
            .Where(fields => fields.Length == 3)
            .Select(fields => new CommitInfo(fields[0], DateTimeOffset.FromUnixTimeSeconds(long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture)), fields[2]))
            .ToList();
    }

    private static bool IsObjectId(string text) => text.Length is >= 4 and <= 64 && text.All(char.IsAsciiHexDigit);

    public async Task<string?> ReadFileAsync(string service, string commit, string path, int mostBytes, CancellationToken cancellationToken)
    {
        var mirror = MirrorPath(service);
        if (!Directory.Exists(mirror) || !commit.All(char.IsAsciiHexDigit))
        {
            return null;
        }
        var size = await GitCli.RunAsync(mirror, ["cat-file", "-s", "--end-of-options", $"{commit}:{path}"], cancellationToken);
        if (!size.Ok)
        {
            return null;
        }
        if (long.Parse(size.Output.Trim(), System.Globalization.CultureInfo.InvariantCulture) > mostBytes)
        {
            throw new InvalidDataException($"{path} at {commit[..7]} is over {mostBytes / 1024} KiB");
        }
        var content = await GitCli.RunAsync(mirror, ["cat-file", "blob", "--end-of-options", $"{commit}:{path}"], cancellationToken);
        return content.Ok ? content.Output : null;
    }

    public async Task<IReadOnlyDictionary<string, string>> SubjectsAsync(string service, IReadOnlyCollection<string> commits, CancellationToken cancellationToken)
    {
        // A commit's message never changes: each is read once, all unknown ones of a call with one git process.
        var unknown = commits.Where(c => CommitId.IsFull(c) && !_subjects.ContainsKey(c)).Distinct().ToList();
        var mirror = MirrorPath(service);
        if (unknown.Count > 0 && Directory.Exists(mirror))
        {
            var log = await GitCli.RunAsync(mirror, ["log", "--no-walk=unsorted", "--ignore-missing", "--format=%H %s", "--end-of-options", .. unknown], cancellationToken);
            if (log.Ok)
            {
                foreach (var line in log.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    var space = line.IndexOf(' ', StringComparison.Ordinal);
                    if (space is 40 or 64)
                    {
                        _subjects[line[..space]] = TextCut.After(line[(space + 1)..].Trim(), 200);
                    }
                }
            }
        }
        return commits.Where(_subjects.ContainsKey).Distinct().ToDictionary(c => c, c => _subjects[c], StringComparer.Ordinal);
    }

    public async Task<Ancestry> CompareAsync(string service, RepositoryAddress repository, string current, string candidate, CancellationToken cancellationToken)
    {
        if (current == candidate)
        {
            return new Ancestry(AncestryRelation.Same, current);
        }
        // How two commits relate never changes, so a known answer is kept; unknown commits are asked again.
        if (_ancestry.TryGetValue((service, current, candidate), out var known))
        {
            return known;
        }
        var mirror = MirrorPath(service);
        if (InProcess(service, current, candidate) is { } fromGraph)
        {
            _ancestry[(service, current, candidate)] = fromGraph;
            return fromGraph;
        }
        var forward = await IsAncestorAsync(mirror, current, candidate, cancellationToken);
        if (forward is null)
        {
            await FetchAsync(service, repository, cancellationToken);
            forward = await IsAncestorAsync(mirror, current, candidate, cancellationToken);
            if (forward is null)
            {
                return new Ancestry(AncestryRelation.Unknown, null);
            }
        }
        Ancestry answer;
        if (forward.Value)
        {
            answer = new Ancestry(AncestryRelation.Descendant, current);
        }
        else if (await IsAncestorAsync(mirror, candidate, current, cancellationToken) == true)
        {
            answer = new Ancestry(AncestryRelation.Ancestor, candidate);
        }
        else
        {
            var mergeBase = await GitCli.RunAsync(mirror, ["merge-base", "--end-of-options", current, candidate], cancellationToken);
            answer = mergeBase.Ok
                ? new Ancestry(AncestryRelation.Diverged, mergeBase.Output.Trim())
                : new Ancestry(AncestryRelation.Unrelated, null);
        }
        _ancestry[(service, current, candidate)] = answer;
        return answer;
    }

    /// <summary>
    /// The answer from the mirror's commit-graph, read into memory once per fetch that changed refs; null when the graph
    /// is missing or does not hold both commits yet, and git answers instead.
    /// </summary>
    private Ancestry? InProcess(string service, string current, string candidate)
    {
        var graph = _graphs.GetOrAdd(service, s => new Lazy<CommitGraph?>(() => CommitGraph.Load(MirrorPath(s)))).Value;
        if (graph?.Find(current) is not { } from || graph.Find(candidate) is not { } to)
        {
            return null;
        }
        if (graph.IsAncestor(from, to))
        {
            return new Ancestry(AncestryRelation.Descendant, current);
        }
        if (graph.IsAncestor(to, from))
        {
            return new Ancestry(AncestryRelation.Ancestor, candidate);
        }
        return graph.MergeBase(from, to) is { } mergeBase
            ? new Ancestry(AncestryRelation.Diverged, graph.IdAt(mergeBase))
            : new Ancestry(AncestryRelation.Unrelated, null);
    }

    /// <summary>
    /// Git's own configuration through the environment (https://git-scm.com/docs/git-config#ENVIRONMENT): an
    /// <c>http.URL.extraHeader</c> with the credentials, for requests to that URL only.
    /// </summary>
    private static Dictionary<string, string>? CredentialsOf(RepositoryAddress repository) =>
        repository.Credentials is { } credentials
            ? new Dictionary<string, string>
            {
                ["GIT_CONFIG_COUNT"] = "1",
                ["GIT_CONFIG_KEY_0"] = $"http.{repository.Url}.extraHeader",
                ["GIT_CONFIG_VALUE_0"] = "Authorization: " + credentials.BasicHeader,
            }
            : null;

    /// <summary>
    /// <c>git merge-base --is-ancestor</c> answers 0 (yes), 1 (no), or another code when a commit is unknown
    /// (https://git-scm.com/docs/git-merge-base#_discussion); null stands for the latter.
    /// </summary>
    private static async Task<bool?> IsAncestorAsync(string mirror, string ancestor, string descendant, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(mirror))
        {
            return null;
        }
        var result = await GitCli.RunAsync(mirror, ["merge-base", "--is-ancestor", "--end-of-options", ancestor, descendant], cancellationToken);
        return result.ExitCode switch
        {
            0 => true,
            1 => false,
            _ => null,
        };
    }
}
