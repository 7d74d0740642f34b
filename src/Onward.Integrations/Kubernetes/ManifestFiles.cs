using System.Collections.Concurrent;
using Onward.Integrations.Git;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// The manifests directory of a commit, read from the mirror with git once and kept: a commit never changes, and a
/// release going to many environments at once would otherwise start the same git processes for each. A directory
/// with a <c>kustomization.yaml</c> is a Kustomize overlay: its files are for <c>kustomize build</c>, not read here.
/// </summary>
public static class ManifestFiles
{
    private const int MostKept = 64;
    private static readonly string[] KustomizationNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
    private static readonly ConcurrentDictionary<(string Mirror, string Commit, string Directory), Lazy<Task<ManifestTree>>> Kept = new();

    /// <summary>What a directory holds: whether it is a Kustomize overlay, else its manifest files in name order.</summary>
    /// <param name="Files">The <c>*.yaml</c>, <c>*.yml</c> and <c>*.json</c> files under the directory, with their text.</param>
    public sealed record ManifestTree(bool Kustomization, IReadOnlyList<(string File, string Text)> Files);

    public static async Task<ManifestTree> ReadAsync(string mirror, string commit, string directory, CancellationToken cancellationToken)
    {
        if (Kept.Count >= MostKept)
        {
            Kept.Clear();
        }
        var reading = Kept.GetOrAdd((mirror, commit, directory), key => new Lazy<Task<ManifestTree>>(() => ReadFromGitAsync(key.Mirror, key.Commit, key.Directory)));
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

    private static async Task<ManifestTree> ReadFromGitAsync(string mirror, string commit, string directory)
    {
        var listing = await GitCli.RequireAsync(mirror, ["ls-tree", "-r", "--name-only", "--end-of-options", commit, "--", directory], CancellationToken.None);
        var all = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (all.Any(f => KustomizationNames.Any(k => f == $"{directory}/{k}")))
        {
            return new ManifestTree(true, []);
        }
        var files = all
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        var read = new List<(string, string)>();
        foreach (var file in files)
        {
            read.Add((file, await GitCli.RequireAsync(mirror, ["show", $"{commit}:{file}"], CancellationToken.None)));
        }
        return new ManifestTree(false, read);
    }
}
