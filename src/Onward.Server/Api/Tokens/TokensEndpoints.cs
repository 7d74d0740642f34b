using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Contracts.Problems;
using Onward.Contracts.Tokens;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Server.Auth;

namespace Onward.Server.Api.Tokens;

public static class TokensEndpoints
{
    public static void MapTokens(this IEndpointRouteBuilder api)
    {
        var tokens = api.MapGroup("/tokens").RequireRole(Permissions.ManageTokens);
        tokens.MapGet("", ListAsync);
        tokens.MapPost("", CreateAsync);
        tokens.MapDelete("/{id:long}", (long id, AccessTokens all, HttpContext http, CancellationToken cancellationToken) =>
            RevokeAsync(null, id, all, http, cancellationToken));
        tokens.MapDelete("", (string? name, AccessTokens all, HttpContext http, CancellationToken cancellationToken) =>
            RevokeAsync(name, null, all, http, cancellationToken));
        tokens.MapGet("/sessions", SessionsAsync);
        api.MapGet("/me", (HttpContext http) => CallerIdentity.Of(http) is var who
            ? TypedResults.Ok(new MeResponse(who.Name, who.Role.ToString().ToLowerInvariant(), who.Groups, who.Teams.Select(TokenMapping.Describe).ToList(), who.Subject))
            : null).RequireRole(Permissions.Read);
        // `onward login --device`: open to anyone (nothing is stored until the provider vouches for a person).
        api.MapPost("/login/device", (HttpContext http, CancellationToken cancellationToken) =>
            http.RequestServices.GetService<DeviceSignIn>() is { } device
                ? device.StartAsync(cancellationToken)
                : Task.FromResult<Results<Ok<DeviceSignInResponse>, ProblemHttpResult>>(NoProvider()));
        api.MapPost("/login/device/{handle}", (string handle, HttpContext http, CancellationToken cancellationToken) =>
            http.RequestServices.GetService<DeviceSignIn>() is { } device
                ? device.PollAsync(handle, http, cancellationToken)
                : Task.FromResult<Results<Ok<DeviceSessionResponse>, Accepted<object>, ProblemHttpResult>>(NoProvider()));
        api.MapGet("/people", async (ITokenStore store, int? limit, CancellationToken cancellationToken) =>
            TypedResults.Ok((await store.ListPeopleAsync(Paging.Limit(limit, 200, 1000), cancellationToken)).Select(p => p.ToPersonResponse()).ToArray()))
            .RequireRole(Permissions.ManageTokens);
        tokens.MapDelete("/sessions/{id:long}", EndSessionAsync);
    }

    private static ProblemHttpResult NoProvider() =>
        TypedResults.Problem(statusCode: 404, title: "Not Found", detail: "this server signs nobody in with a provider (auth.oidc is not set); use a token");

    /// <summary>Web sessions, newest first: of one token (<c>tokenId</c>), of a name's tokens, or all; <c>active=true</c> for those that last.</summary>
    private static async Task<Results<Ok<SessionResponse[]>, ProblemHttpResult>> SessionsAsync(
        ISessionStore sessions, TimeProvider time, long? tokenId, string? name, bool? active, int? limit, long? before, HttpContext http, CancellationToken cancellationToken)
    {
        if (FieldChecks.Problem(("name", name, FieldLimits.Name, false)) is { } problem)
        {
            return problem;
        }
        var page = Paging.Limit(limit, 100, 1000);
        var now = time.GetUtcNow();
        var list = await sessions.ListAsync(tokenId, name, active == true, now, page, before, cancellationToken);
        Paging.LinkNext(http, list.Count, page, "before", list.LastOrDefault()?.Id.ToString());
        return TypedResults.Ok(list.Select(s => s.ToResponse(now)).ToArray());
    }

    /// <summary>Ends one web session now: its next page goes to the sign-in, and its open event streams close.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> EndSessionAsync(
        long id, ISessionStore sessions, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        var actor = CallerIdentity.Of(http).Name;
        return await sessions.EndAsync(id, SessionEndings.EndedBy(actor), actor, time.GetUtcNow(), cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: 404, title: "Not Found", detail: $"there is no lasting web session {id}; `onward tokens sessions --active` lists them");
    }

    private static async Task<Ok<TokenResponse[]>> ListAsync(ITokenStore store, int? limit, long? after, HttpContext http, CancellationToken cancellationToken)
    {
        var page = Paging.Limit(limit, 200, 1000);
        var list = await store.ListAsync(page, after, cancellationToken);
        Paging.LinkNext(http, list.Count, page, "after", list.LastOrDefault()?.Id.ToString());
        return TypedResults.Ok(list.Select(t => t.ToResponse()).ToArray());
    }

    private static async Task<Results<Created<CreatedTokenResponse>, ProblemHttpResult>> CreateAsync(
        TokenRequestBody? body, AccessTokens tokens, OnwardConfig config, HttpContext http, CancellationToken cancellationToken)
    {
        if (FieldChecks.Problem(("name", body?.Name, FieldLimits.Name, false), ("role", body?.Role, FieldLimits.Word, false), ("expires", body?.Expires, FieldLimits.Word, false),
                ("environment", body?.Environment, FieldLimits.Name, false)) is { } fieldProblem)
        {
            return fieldProblem;
        }
        foreach (var (group, i) in (body?.Groups ?? []).Take(FieldLimits.Groups).Select((g, i) => (g, i)))
        {
            if (FieldChecks.Problem(($"groups[{i}]", group, FieldLimits.Name, false)) is { } groupProblem)
            {
                return groupProblem;
            }
        }
        var issued = await tokens.IssueAsync(new TokenOrder(body?.Name, body?.Role, body?.Groups, body?.Expires, body?.Environment),
            config.Environments.Select(e => e.Name), CallerIdentity.Of(http).Name, cancellationToken);
        return issued.Problem is { } problem
            ? FieldChecks.BadRequest(problem)
            : TypedResults.Created($"/api/v1/tokens/{issued.Token!.Id}", issued.Token.ToCreatedResponse(issued.Secret!));
    }

    private static async Task<Results<Ok<TokenResponse[]>, ProblemHttpResult>> RevokeAsync(
        string? name, long? id, AccessTokens tokens, HttpContext http, CancellationToken cancellationToken)
    {
        if (name is null && id is null)
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad Request", detail: "say which tokens to revoke: `DELETE /api/v1/tokens/{id}` or `DELETE /api/v1/tokens?name=alice`");
        }
        var revoked = await tokens.RevokeAsync(name, id, CallerIdentity.Of(http).Name, cancellationToken);
        if (revoked.Count == 0)
        {
            return TypedResults.Problem(statusCode: 404, title: "Not Found",
                detail: $"no active token {(id is not null ? $"with id {id}" : $"named '{name}'")}; `onward tokens list` shows them");
        }
        return TypedResults.Ok(revoked.Select(t => t.ToResponse()).ToArray());
    }
}
