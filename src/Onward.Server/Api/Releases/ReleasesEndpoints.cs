using Onward.Core.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Contracts.Releases;
using Onward.Core.Builds;
using Onward.Core.Deployments;
using Onward.Core.Releases;
using Onward.Server.Auth;

namespace Onward.Server.Api.Releases;

public static class ReleasesEndpoints
{
    public static void MapReleases(this IEndpointRouteBuilder api)
    {
        var releases = api.MapGroup("/releases").RequireRole(Role.Viewer);
        releases.MapGet("", ListAsync);
        releases.MapGet("/{id:long}", GetAsync);
        releases.MapGet("/{id:long}/log", LogAsync);
        api.MapPost("/releases", RegisterAsync).RequireRole(Role.Deployer);
    }

    private static async Task<Ok<ReleaseResponse[]>> ListAsync(IReleaseStore store, string? service, int? limit, CancellationToken cancellationToken)
    {
        var list = await store.ListAsync(service, Math.Clamp(limit ?? 50, 1, 1000), cancellationToken);
        return TypedResults.Ok(list.Select(r => r.ToResponse()).ToArray());
    }

    private static async Task<Results<Ok<ReleaseResponse>, ProblemHttpResult>> GetAsync(IReleaseStore store, long id, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } release
            ? TypedResults.Ok(release.ToResponse())
            : NotFound(id);

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> LogAsync(IReleaseStore store, IBuilder builder, long id, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, cancellationToken) is not { } release)
        {
            return NotFound(id);
        }
        var log = await builder.ReadLogAsync(release, cancellationToken);
        return TypedResults.Text(log ?? "(the build has not started yet)\n", "text/plain; charset=utf-8");
    }

    private static async Task<Results<Created<ReleaseResponse>, Ok<ReleaseResponse>, ProblemHttpResult>> RegisterAsync(
        ReleaseRegistration? body, ReleaseRegistrations registrations, CancellationToken cancellationToken)
    {
        if (body is null || string.IsNullOrWhiteSpace(body.Service) || string.IsNullOrWhiteSpace(body.Commit) || string.IsNullOrWhiteSpace(body.Image))
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad Request",
                detail: "send a JSON body with `service`, `commit`, `image` and optionally `ref`, e.g. {\"service\":\"billing\",\"commit\":\"3f2a9c1…\",\"image\":\"registry.example.com/acme/billing:3f2a9c1\"}");
        }
        var (release, created, error, detail) = await registrations.RegisterAsync(body.Service, body.Commit.Trim(), body.Ref, body.Image.Trim(), cancellationToken);
        if (release is null)
        {
            return TypedResults.Problem(statusCode: error == RequestError.NotFound ? 404 : 422, detail: detail);
        }
        return created
            ? TypedResults.Created($"/api/v1/releases/{release.Id}", release.ToResponse())
            : TypedResults.Ok(release.ToResponse());
    }

    private static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem(statusCode: 404, title: "Not Found", detail: $"there is no release {id}; `onward releases list` shows the existing ones");
}
