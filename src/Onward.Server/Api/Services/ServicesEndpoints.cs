using Onward.Core.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Contracts.Services;
using Onward.Core.Configuration;
using Onward.Core.Deployments;
using Onward.Core.Drift;
using Onward.Server.Api.Drift;
using Onward.Integrations.LocalProcesses;
using Onward.Server.Auth;

namespace Onward.Server.Api.Services;

public static class ServicesEndpoints
{
    public static void MapServices(this IEndpointRouteBuilder api)
    {
        var services = api.MapGroup("/services").RequireRole(Role.Viewer);
        services.MapGet("", ListAsync);
        services.MapGet("/{name}", GetAsync);
    }

    private static async Task<Ok<ServiceResponse[]>> ListAsync(
        OnwardConfig config, IDeploymentStore store, IDriftStore drift, LocalTarget local, CancellationToken cancellationToken) =>
        TypedResults.Ok(await DescribeAllAsync(config, store, drift, local, cancellationToken));

    /// <summary>Every service with what runs in each environment, as the API and the web UI show it.</summary>
    public static async Task<ServiceResponse[]> DescribeAllAsync(
        OnwardConfig config, IDeploymentStore store, IDriftStore drift, LocalTarget local, CancellationToken cancellationToken)
    {
        var view = await ViewAsync(store, drift, cancellationToken);
        return config.Services.Select(s => Describe(config, s, view, local)).ToArray();
    }

    private static async Task<Results<Ok<ServiceResponse>, ProblemHttpResult>> GetAsync(
        OnwardConfig config, IDeploymentStore store, IDriftStore drift, LocalTarget local, string name, CancellationToken cancellationToken)
    {
        if (config.FindService(name) is not { } service)
        {
            return TypedResults.Problem(statusCode: 404, title: "Not Found",
                detail: $"unknown service '{name}'; known services: {string.Join(", ", config.Services.Select(s => s.Name))}");
        }
        return TypedResults.Ok(Describe(config, service, await ViewAsync(store, drift, cancellationToken), local));
    }

    private static async Task<View> ViewAsync(IDeploymentStore store, IDriftStore drift, CancellationToken cancellationToken) =>
        new(await store.CurrentAllAsync(cancellationToken), await store.LatestAllAsync(cancellationToken), await drift.ListAsync(cancellationToken));

    private sealed record View(
        IReadOnlyList<Deployment> Current, IReadOnlyList<Deployment> Latest, IReadOnlyDictionary<(string Service, string Environment), DriftReport> Drift);

    private static ServiceResponse Describe(OnwardConfig config, ServiceConfig service, View view, LocalTarget local) => new(
        service.Name,
        service.Repository.ToString(),
        service.MainBranch,
        null,
        config.Environments.Select(e =>
        {
            var current = view.Current.FirstOrDefault(d => d.Service == service.Name && d.Environment == e.Name);
            var last = view.Latest.FirstOrDefault(d => d.Service == service.Name && d.Environment == e.Name);
            return new ServiceEnvironmentResponse(
                e.Name,
                e.Target.Local is not null ? local.Address(service.Name, e.Name) : null,
                current is null ? null : new CurrentReleaseResponse(current.Version, current.Commit, current.ReleaseId, current.Id, current.UpdatedAt),
                last is null ? null : new LastDeploymentResponse(last.Id, last.State.ToString(), last.Version),
                view.Drift.TryGetValue((service.Name, e.Name), out var drift) && drift.DeploymentId == current?.Id ? drift.ToResponse() : null);
        }).ToList());
}
