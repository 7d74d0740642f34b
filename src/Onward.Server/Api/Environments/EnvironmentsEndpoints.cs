using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Contracts.Environments;
using Onward.Core.Configuration;
using Onward.Integrations.LocalProcesses;
using Onward.Server.Auth;

namespace Onward.Server.Api.Environments;

public static class EnvironmentsEndpoints
{
    public static void MapEnvironments(this IEndpointRouteBuilder api) =>
        api.MapGet("/environments", List).RequireRole(Role.Viewer);

    private static Ok<EnvironmentResponse[]> List(OnwardConfig config, LocalTarget local) =>
        TypedResults.Ok(config.Environments.Select(e => new EnvironmentResponse(
            e.Name,
            e.Target.Local is not null
                ? new TargetResponse("local", config.Services
                    .Select(s => (s.Name, Address: local.Address(s.Name, e.Name)))
                    .Where(p => p.Address is not null)
                    .ToDictionary(p => p.Name, p => new Uri(p.Address!).Port), null, null)
                : new TargetResponse("kubernetes", null, e.Target.Kubernetes!.Context, e.Target.Kubernetes.Namespace),
            new PolicyResponse(
                e.Policy.AutoDeploy == AutoDeployMode.Main ? "main" : null,
                e.Policy.Requires,
                e.Policy.ForwardOnly,
                e.Policy.OnFailure.ToString().ToLowerInvariant()))).ToArray());
}
