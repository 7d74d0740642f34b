using Microsoft.Extensions.Logging;
using Onward.Core.Configuration;
using Onward.Core.Kubernetes;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// Masks the secret values of manifests kept before Onward kept them out: each deployment's objects are saved again
/// through <see cref="RenderedManifests.Serialize"/> with its service's secret kinds, and the files of the oldest
/// versions (<c>dataDir/rendered/ID.json</c>) move into the database the same way. Runs at start-up, before any worker
/// reads them; saving marks a deployment done, so it runs once, on any replica.
/// </summary>
public sealed class ManifestScrub(IManifestStore manifests, OnwardConfig config, ILogger logger)
{
    private const int Batch = 100;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        var folder = Path.Combine(config.Server.DataDir, "rendered");
        if (Directory.Exists(folder))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*.json"))
            {
                if (long.TryParse(Path.GetFileNameWithoutExtension(file), out var id) && await manifests.GetAsync(id, cancellationToken) is null)
                {
                    // Files were written before services could mark kinds of their own: Secret is the only secret kind there.
                    var objects = RenderedManifests.Deserialize(await File.ReadAllTextAsync(file, cancellationToken));
                    await manifests.SaveAsync(id, RenderedManifests.Serialize(objects, [SecretKind.Secret]), cancellationToken);
                    count++;
                }
                File.Delete(file);
            }
        }
        while (await manifests.UnmaskedAsync(Batch, cancellationToken) is { Count: > 0 } batch)
        {
            foreach (var (id, service) in batch)
            {
                var kinds = config.FindService(service)?.Deploy.SecretKinds ?? [SecretKind.Secret];
                var objects = RenderedManifests.Deserialize(await manifests.GetAsync(id, cancellationToken) ?? """{"objects":[]}""");
                await manifests.SaveAsync(id, RenderedManifests.Serialize(objects, kinds), cancellationToken);
                count++;
            }
        }
        if (count > 0)
        {
            logger.LogInformation("Kept secret values out of the manifests of {Count} earlier deployment(s)", count);
        }
        return count;
    }
}
