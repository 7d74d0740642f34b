using System.Collections.Concurrent;
using Onward.Core.Releases;
using Onward.Core.Sources;

namespace Onward.Integrations.Git;

/// <summary>
/// Each service's repository as a bare mirror under <c>dataDir/mirrors</c>, fetched with the git CLI. Builds clone from
/// the mirror; nothing ever checks out inside it.
/// </summary>
public sealed class GitSourceRepository(string dataDir) : ISourceRepository
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public string MirrorPath(string service) => Path.Combine(dataDir, "mirrors", service + ".git");

    public async Task<IReadOnlyList<RefHead>> FetchAsync(string service, string repository, CancellationToken cancellationToken)
    {
        var mirror = MirrorPath(service);
        var gate = _locks.GetOrAdd(service, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (!Directory.Exists(Path.Combine(mirror, "objects")))
            {
                Directory.CreateDirectory(mirror);
                await GitCli.RequireAsync(mirror, ["init", "--quiet", "--bare"], cancellationToken);
            }
            // Explicit refspecs instead of --mirror: only branches and tags matter, and --prune drops deleted refs.
            await GitCli.RequireAsync(mirror,
                ["fetch", "--quiet", "--prune", "--prune-tags", "--force", repository, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"],
                cancellationToken);
            // %(*objectname) is the commit an annotated tag points at; lightweight tags and branches leave it empty.
            var output = await GitCli.RequireAsync(mirror,
                ["for-each-ref", "--format=%(refname) %(objectname) %(*objectname)", "refs/heads", "refs/tags"],
                cancellationToken);
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

    public async Task<Ancestry> CompareAsync(string service, string repository, string current, string candidate, CancellationToken cancellationToken)
    {
        if (current == candidate)
        {
            return new Ancestry(AncestryRelation.Same, current);
        }
        var mirror = MirrorPath(service);
        if (!await HasCommitsAsync(mirror, cancellationToken, current, candidate))
        {
            await FetchAsync(service, repository, cancellationToken);
            if (!await HasCommitsAsync(mirror, cancellationToken, current, candidate))
            {
                return new Ancestry(AncestryRelation.Unknown, null);
            }
        }
        if ((await GitCli.RunAsync(mirror, ["merge-base", "--is-ancestor", current, candidate], cancellationToken)).Ok)
        {
            return new Ancestry(AncestryRelation.Descendant, current);
        }
        if ((await GitCli.RunAsync(mirror, ["merge-base", "--is-ancestor", candidate, current], cancellationToken)).Ok)
        {
            return new Ancestry(AncestryRelation.Ancestor, candidate);
        }
        var mergeBase = await GitCli.RunAsync(mirror, ["merge-base", current, candidate], cancellationToken);
        return mergeBase.Ok
            ? new Ancestry(AncestryRelation.Diverged, mergeBase.Output.Trim())
            : new Ancestry(AncestryRelation.Unrelated, null);
    }

    private static async Task<bool> HasCommitsAsync(string mirror, CancellationToken cancellationToken, params string[] commits)
    {
        if (!Directory.Exists(mirror))
        {
            return false;
        }
        foreach (var commit in commits)
        {
            if (!(await GitCli.RunAsync(mirror, ["cat-file", "-e", commit + "^{commit}"], cancellationToken)).Ok)
            {
                return false;
            }
        }
        return true;
    }
}
