using Onward.Core.Kubernetes;

namespace Onward.Testing.Fakes;

/// <summary>What deployments to a cluster rendered, in memory, kept only for deployments that exist; masking reaches the deployment's reason, diagnosis and events.</summary>
public sealed class FakeManifestStore(FakeDeploymentStore deployments) : IManifestStore
{
    private readonly Dictionary<long, (string Rendered, string MaskedWith)> _manifests = [];

    public Task<bool> SaveAsync(long deploymentId, string rendered, string maskedWith, CancellationToken cancellationToken)
    {
        lock (deployments.Database.Gate)
        {
            if (deployments.All.All(d => d.Id != deploymentId))
            {
                return Task.FromResult(false);
            }
            _manifests[deploymentId] = (rendered, maskedWith);
            return Task.FromResult(true);
        }
    }

    public Task<string?> GetAsync(long deploymentId, CancellationToken cancellationToken)
    {
        lock (deployments.Database.Gate)
        {
            return Task.FromResult(_manifests.TryGetValue(deploymentId, out var kept) ? kept.Rendered : null);
        }
    }

    public Task<IReadOnlyList<(long DeploymentId, string Service, string? MaskedWith)>> ListAsync(long after, int limit, CancellationToken cancellationToken)
    {
        lock (deployments.Database.Gate)
        {
            var services = deployments.All.ToDictionary(d => d.Id, d => d.Service);
            return Task.FromResult<IReadOnlyList<(long, string, string?)>>(_manifests.Where(m => m.Key > after).OrderBy(m => m.Key).Take(limit)
                .Select(m => (m.Key, services[m.Key], (string?)m.Value.MaskedWith)).ToList());
        }
    }

    public Task MaskTextAsync(long deploymentId, SecretText secrets, CancellationToken cancellationToken)
    {
        deployments.Mask(deploymentId, secrets);
        return Task.CompletedTask;
    }
}
