using Onward.Contracts.Services;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Drift;
using Onward.Core.Releases;
using Onward.Core.Sources;
using Onward.Integrations.LocalProcesses;
using Onward.Server.Api.Drift;

namespace Onward.Server.Views;

/// <summary>Every service with what runs in each environment: the answer of <c>GET /api/v1/services</c> and the overview page.</summary>
public sealed class ServiceViews(ConfigSource configuration, IDeploymentStore store, IDriftStore drift, IReleaseStore releases, IRefStateStore sources, LocalTarget local)
{
    private OnwardConfig config => configuration.Current;

    public async Task<ServiceResponse[]> AllAsync(CancellationToken cancellationToken)
    {
        var view = await ReadAsync(cancellationToken);
        var all = new List<ServiceResponse>();
        foreach (var service in config.Services)
        {
            all.Add(Describe(service, view, await LatestBuildAsync(service, cancellationToken)));
        }
        return [.. all];
    }

    /// <summary>One service, or null when there is none of that name.</summary>
    public async Task<ServiceResponse?> FindAsync(string name, CancellationToken cancellationToken) =>
        config.FindService(name) is { } service ? Describe(service, await ReadAsync(cancellationToken), await LatestBuildAsync(service, cancellationToken)) : null;

    private async Task<State> ReadAsync(CancellationToken cancellationToken) =>
        new(await store.CurrentAllAsync(cancellationToken), await store.LatestAllAsync(cancellationToken), await drift.ListAsync(cancellationToken),
            await sources.WarningsAsync(cancellationToken));

    private async Task<ServiceBuildResponse?> LatestBuildAsync(ServiceConfig service, CancellationToken cancellationToken) =>
        (await releases.ListAsync(service.Name, 1, null, cancellationToken)).FirstOrDefault() is { } r
            ? new ServiceBuildResponse(r.Id, r.Version, r.Commit, r.Ref, r.State.ToString(), r.Failure, r.BuildFinishedAt ?? r.CreatedAt)
            : null;

    private sealed record State(
        IReadOnlyList<Deployment> Current, IReadOnlyList<Deployment> Latest, IReadOnlyDictionary<(string Service, string Environment), DriftReport> Drift,
        IReadOnlyDictionary<string, IReadOnlyList<string>> Warnings);

    private ServiceResponse Describe(ServiceConfig service, State state, ServiceBuildResponse? latestBuild) => new(
        service.Name,
        service.Repository.ToString(),
        service.MainBranch,
        null,
        config.Environments.Select(e =>
        {
            var current = state.Current.FirstOrDefault(d => d.Service == service.Name && d.Environment == e.Name);
            var last = state.Latest.FirstOrDefault(d => d.Service == service.Name && d.Environment == e.Name);
            return new ServiceEnvironmentResponse(
                e.Name,
                e.Target.Local is not null ? local.Address(service.Name, e.Name) : null,
                current is null ? null : new CurrentReleaseResponse(current.Version, current.Commit, current.ReleaseId, current.Id, current.UpdatedAt),
                last is null ? null : new LastDeploymentResponse(last.Id, last.State, last.Version),
                state.Drift.TryGetValue((service.Name, e.Name), out var drifted) && drifted.DeploymentId == current?.Id ? drifted.ToResponse() : null);
        }).ToList(),
        state.Warnings.GetValueOrDefault(service.Name) ?? [],
        latestBuild);
}
