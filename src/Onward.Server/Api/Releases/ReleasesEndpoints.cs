using Onward.Core.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Contracts.Problems;
using Onward.Contracts.Releases;
using Onward.Core.Builds;
using Onward.Core.Deployments;
using Onward.Core.Releases;
using Onward.Core.Sources;
using Onward.Server.Auth;

namespace Onward.Server.Api.Releases;

public static class ReleasesEndpoints
{
    public static void MapReleases(this IEndpointRouteBuilder api)
    {
        var releases = api.MapGroup("/releases").RequireRole(Permissions.Read);
        releases.MapGet("", ListAsync);
        releases.MapGet("/{id:long}", GetAsync);
        releases.MapGet("/{id:long}/log", LogAsync);
        api.MapPost("/releases", RegisterAsync).RequireRoleSomewhere(Permissions.RegisterRelease);
    }

    private static async Task<Ok<ReleaseResponse[]>> ListAsync(IReleaseStore store, string? service, int? limit, long? before, HttpContext http, CancellationToken cancellationToken)
    {
        var page = Paging.Limit(limit, 50, 1000);
        var list = await store.ListAsync(service, page, before, cancellationToken);
        Paging.LinkNext(http, list.Count, page, "before", list.LastOrDefault()?.Id.ToString());
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
        ReleaseRegistration? body, ReleaseRegistrations registrations, HttpContext http, CancellationToken cancellationToken)
    {
        if (body is null || string.IsNullOrWhiteSpace(body.Service) || string.IsNullOrWhiteSpace(body.Commit) || string.IsNullOrWhiteSpace(body.Image))
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad Request",
                detail: "send a JSON body with `service`, `commit`, `image` and optionally `ref`, e.g. {\"service\":\"billing\",\"commit\":\"3f2a9c1…\",\"image\":\"registry.example.com/acme/billing:3f2a9c1\"}");
        }
        if (FieldChecks.Problem(
                ("service", body.Service, FieldLimits.Name, false),
                ("commit", body.Commit, FieldLimits.Ref, false),
                ("ref", body.Ref, FieldLimits.Ref, false),
                ("image", body.Image, FieldLimits.Image, false)) is { } problem)
        {
            return problem;
        }
        if (!CommitId.IsFull(body.Commit.Trim()))
        {
            return FieldChecks.BadRequest(CommitId.Problem("commit", body.Commit.Trim()) + "; register the exact commit the image was built from, e.g. $(git rev-parse HEAD)");
        }
        if (body.Ref is { Length: > 0 } reference && !RefName.IsValid(reference.StartsWith("refs/", StringComparison.Ordinal) ? reference : "refs/heads/" + reference))
        {
            return FieldChecks.BadRequest($"`ref` is not a valid git branch or tag name: '{reference}'");
        }
        if (CallerIdentity.Of(http) is var who && !who.MayOn(Permissions.RegisterRelease, body.Service.Trim(), null))
        {
            return TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: $"{who.Name} registers releases only of the services a team's role names, not of {body.Service.Trim()}");
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
