using System.Collections.Concurrent;
using Onward.Integrations.Git;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// The manifest files of a directory at a commit, read from the mirror with git once and kept: a commit never changes,
/// and a release going to many environments at once would otherwise start the same git processes for each.
/// </summary>
public static class ManifestFiles
{
    private const int MostKept = 64;
    private static readonly ConcurrentDictionary<(string Mirror, string Commit, string Directory), Lazy<Task<IReadOnlyList<(string File, string Text)>>>> Kept = new();

    /// <summary>The <c>*.yaml</c>, <c>*.yml</c> and <c>*.json</c> files under <paramref name="directory"/>, in name order.</summary>
    public static async Task<IReadOnlyList<(string File, string Text)>> ReadAsync(string mirror, string commit, string directory, CancellationToken cancellationToken)
    {
        if (Kept.Count >= MostKept)
        {
            Kept.Clear();
        }
        var reading = Kept.GetOrAdd((mirror, commit, directory), key => new Lazy<Task<IReadOnlyList<(string, string)>>>(() => ReadFromGitAsync(key.Mirror, key.Commit, key.Directory)));
        try
        {
            return await reading.Value.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A failed read (the commit not fetched yet, git busy) is not kept: the next step reads again.
            Kept.TryRemove((mirror, commit, directory), out _);
            throw;
        }
    }

    private static async Task<IReadOnlyList<(string File, string Text)>> ReadFromGitAsync(string mirror, string commit, string directory)
    {
        var listing = await GitCli.RequireAsync(mirror, ["ls-tree", "-r", "--name-only", "--end-of-options", commit, "--", directory], CancellationToken.None);
        var files = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        var read = new List<(string, string)>();
        foreach (var file in files)
        {
            read.Add((file, await GitCli.RequireAsync(mirror, ["show", $"{commit}:{file}"], CancellationToken.None)));
        }
        return read;
    }
}
