using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Contracts.Previews;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Previews;
using Onward.Server.Auth;

namespace Onward.Server.Api.Previews;

/// <summary>
/// <c>GET /api/v1/previews</c>: the live previews (destroyed ones leave the list; their history stays in the audit
/// trail). <c>POST /api/v1/previews/{service}/{number}/destroy</c>: destroys one now (a deployer of the service); it comes
/// back only with the next push to its pull request.
/// </summary>
public static class PreviewsEndpoints
{
    public static void MapPreviews(this IEndpointRouteBuilder api)
    {
        api.MapGet("/previews", ListAsync).RequireRole(Permissions.Read);
        api.MapPost("/previews/{service}/{number}/destroy", DestroyAsync).RequireRoleSomewhere(Permissions.RequestDeployment);
    }

    private static async Task<Ok<PreviewResponse[]>> ListAsync(IPreviewStore previews, OnwardConfig config, string? service, CancellationToken cancellationToken) =>
        TypedResults.Ok((await previews.LiveAsync(cancellationToken)).Where(p => service is null || p.Service == service).Select(p => ToResponse(p, config)).ToArray());

    private static async Task<Results<Ok<PreviewResponse>, ProblemHttpResult>> DestroyAsync(
        string service, string number, OnwardConfig config, PreviewRequests requests, IPreviewStore previews, HttpContext http, CancellationToken cancellationToken)
    {
        if (!long.TryParse(number, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pull) || pull <= 0)
        {
            return FieldChecks.BadRequest($"'{FieldChecks.Shown(number)}' is not a pull request's number");
        }
        if (config.FindService(service) is not { Previews: not null } found)
        {
            return TypedResults.Problem(statusCode: 404, title: "Not Found",
                detail: $"no service '{FieldChecks.Shown(service)}' with previews; services with previews: {string.Join(", ", config.Services.Where(s => s.Previews is not null).Select(s => s.Name).DefaultIfEmpty("none"))}");
        }
        var who = CallerIdentity.Of(http);
        var environment = PreviewConfig.EnvironmentName(found.Name, pull);
        if (who.WhyNotOn(Permissions.RequestDeployment, found.Name, environment) is { } forbidden)
        {
            return TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: forbidden);
        }
        var ended = await requests.EndAsync(found, pull, $"destroyed by {who.Name}", who.Name, cancellationToken);
        if (ended is null)
        {
            return TypedResults.Problem(statusCode: 404, title: "Not Found", detail: $"{environment} is not live: pull request #{pull} of {found.Name} has no preview, or it was destroyed already");
        }
        return TypedResults.Ok(ToResponse(ended, config));
    }

    public static PreviewResponse ToResponse(Preview p, OnwardConfig config) => new(
        p.Service, p.Number, p.Environment, p.Branch, p.Commit, p.Url, p.State.ToString().ToLowerInvariant(), p.CreatedAt,
        p.PushedAt + (config.FindService(p.Service)?.Previews?.Ttl ?? PreviewConfig.DefaultTtl))
    {
        Link = p.Link,
        PushedAt = p.PushedAt,
        Reason = p.State == PreviewState.Destroying ? p.Ending : p.Failure,
        DeploymentId = p.DeploymentId,
    };
}
