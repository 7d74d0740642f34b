using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Contracts.Releases;
using Onward.Core.Builds;
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

    private static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem(statusCode: 404, title: "Not Found", detail: $"there is no release {id}; `onward releases list` shows the existing ones");
}
