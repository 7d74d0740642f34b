using Microsoft.Extensions.Logging;
using Onward.Core.Configuration;
using Onward.Core.Kubernetes;

namespace Onward.Integrations.Kubernetes;

/// <summary>
/// Keeps secret values out of manifests kept before they were kept out, or before their kind was marked secret: each
/// deployment whose objects were masked with another set of kinds than its service's today (<see cref="SecretKind.Signature"/>)
/// is saved again through <see cref="RenderedManifests.Serialize"/>, and the values found in the clear are masked in
/// its reason, diagnosis and events too. The files of the oldest versions (<c>dataDir/rendered/ID.json</c>) move into
/// the database the same way. Runs at start-up, before any worker reads them; on any replica, and only once per change.
/// </summary>
public sealed class ManifestScrub(IManifestStore manifests, OnwardConfig config, ILogger logger)
{
    private const int Batch = 200;

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
                    if (await MaskAsync(id, await File.ReadAllTextAsync(file, cancellationToken), [SecretKind.Secret], cancellationToken))
                    {
                        count++;
                    }
                    else
                    {
                        logger.LogInformation("Dropped {File}, kept for a deployment that no longer exists", file);
                    }
                }
                File.Delete(file);
            }
        }
        var after = 0L;
        while (await manifests.ListAsync(after, Batch, cancellationToken) is { Count: > 0 } batch)
        {
            foreach (var (id, service, maskedWith) in batch)
            {
                var kinds = config.FindService(service)?.Deploy.SecretKinds ?? [SecretKind.Secret];
                if (maskedWith != SecretKind.Signature(kinds) && await manifests.GetAsync(id, cancellationToken) is { } text)
                {
                    await MaskAsync(id, text, kinds, cancellationToken);
                    count++;
                }
            }
            after = batch[^1].DeploymentId;
        }
        if (count > 0)
        {
            logger.LogInformation("Kept secret values out of the manifests of {Count} earlier deployment(s)", count);
        }
        return count;
    }

    /// <returns>Whether the deployment exists (and so was masked).</returns>
    private async Task<bool> MaskAsync(long id, string text, IReadOnlyList<SecretKind> kinds, CancellationToken cancellationToken)
    {
        var objects = RenderedManifests.Deserialize(text);
        var clear = SecretText.Of(objects.Where(o => o.Secrets is null).Select(o => o.Body), kinds);
        if (!await manifests.SaveAsync(id, RenderedManifests.Serialize(objects, kinds), SecretKind.Signature(kinds), cancellationToken))
        {
            return false;
        }
        if (!clear.IsEmpty)
        {
            await manifests.MaskTextAsync(id, clear, cancellationToken);
        }
        return true;
    }
}
