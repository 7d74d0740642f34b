using Onward.Contracts.Deployments;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Releases;
using Onward.Core.Sources;

namespace Onward.Core.Flags;

/// <summary>
/// Flags shipped with releases (<c>services.S.flags</c>): the flag document at a release's commit is checked before
/// the release is applied (it must parse, and define no key another source owns in the environment), and becomes the
/// service's flag set there once the release is verified. A failed release never ships its flags, so a restore leaves
/// the previous release's flags in place with its code.
/// </summary>
public sealed class ReleaseFlags(ISourceRepository sources, FlagCatalog catalog, IDeploymentStore deployments)
{
    public const int MostDocumentBytes = 1024 * 1024;

    /// <summary>Why the release cannot be applied to the environment because of its flags; null when nothing stops it.</summary>
    public async Task<string?> CheckAsync(ServiceConfig service, EnvironmentConfig environment, Release release, CancellationToken cancellationToken)
    {
        if (service.Flags is not { } path)
        {
            return null;
        }
        var (document, problem) = await ReadAsync(service, release, path, cancellationToken);
        return problem ?? await catalog.CheckReleaseSetAsync(environment.Name, service.Name, path, document!, cancellationToken);
    }

    /// <summary>Makes the release's flags the service's in the environment, unless a later deployment there has succeeded since; returns what changed.</summary>
    public async Task<string?> ShipAsync(ServiceConfig service, Deployment deployment, Release release, CancellationToken cancellationToken)
    {
        if (service.Flags is not { } path)
        {
            return null;
        }
        var latest = await deployments.ListAsync(new DeploymentQuery(deployment.Service, deployment.Environment, DeploymentState.Succeeded, 1), cancellationToken);
        if (latest.Count > 0 && latest[0].Id > deployment.Id)
        {
            return null;
        }
        var (document, problem) = await ReadAsync(service, release, path, cancellationToken);
        return problem is null ? await catalog.ShipReleaseSetAsync(deployment.Environment, service.Name, document!, deployment.Id, release.Version, cancellationToken) : null;
    }

    /// <summary>The flag document of <paramref name="service"/> at a release's commit, or why there is none.</summary>
    public async Task<(string? Document, string? Problem)> ReadAsync(ServiceConfig service, Release release, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await sources.ReadFileAsync(service.Name, release.Commit, path, MostDocumentBytes, cancellationToken) is { } text
                ? (text, null)
                : (null, $"its flags file {path} is not in the repository at {Release.ShortHash(release.Commit)}; add it, or remove `flags` from the service");
        }
        catch (InvalidDataException e)
        {
            return (null, $"its flags file is too large: {e.Message}");
        }
    }

    /// <summary>The flags that differ between two flag sets (either may be absent), in key order.</summary>
    public static IReadOnlyList<(string Key, string Change, IReadOnlyList<(string Field, string? Before, string? After)> Fields)> Diff(FlagSet? from, FlagSet? to)
    {
        var keys = (from?.Flags.Keys ?? []).Union(to?.Flags.Keys ?? []).Order(StringComparer.Ordinal);
        var diffs = new List<(string, string, IReadOnlyList<(string, string?, string?)>)>();
        foreach (var key in keys)
        {
            var before = from?.Flags.GetValueOrDefault(key)?.ToJson();
            var after = to?.Flags.GetValueOrDefault(key)?.ToJson();
            var fields = EnvironmentFlags.Diff(before, after);
            if (fields.Count > 0)
            {
                diffs.Add((key, before is null ? "added" : after is null ? "removed" : "changed", fields));
            }
        }
        return diffs;
    }
}
