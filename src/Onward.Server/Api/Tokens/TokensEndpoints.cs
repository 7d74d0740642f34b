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
        var tokens = api.MapGroup("/tokens").RequireRole(Role.Admin);
        tokens.MapGet("", ListAsync);
        tokens.MapPost("", CreateAsync);
        tokens.MapDelete("/{id:long}", (long id, ITokenStore store, TimeProvider time, HttpContext http, CancellationToken cancellationToken) =>
            RevokeAsync(null, id, store, time, http, cancellationToken));
        tokens.MapDelete("", (string? name, ITokenStore store, TimeProvider time, HttpContext http, CancellationToken cancellationToken) =>
            RevokeAsync(name, null, store, time, http, cancellationToken));
        tokens.MapGet("/sessions", SessionsAsync);
        tokens.MapDelete("/sessions/{id:long}", EndSessionAsync);
    }

    public static SessionResponse ToResponse(this UiSessionRecord session, DateTimeOffset now) => new(
        session.Id, session.TokenId, session.Name, session.CreatedAt, session.LastSeenAt, session.ExpiresAt, session.EndedAt, session.EndedReason,
        session.Address, session.UserAgent, session.Active(now));

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

    public static TokenResponse ToResponse(this AccessToken token) => new(
        token.Id, token.Name, token.Role.ToString().ToLowerInvariant(), token.Groups, token.CreatedAt, token.CreatedBy, token.RevokedAt, token.ExpiresAt, token.Environment);

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
        if (body?.Name is not { Length: > 0 } name || body.Role is not { Length: > 0 } roleText)
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad Request",
                detail: "send a JSON body with `name` and `role`, e.g. {\"name\":\"alice\",\"role\":\"approver\",\"groups\":[\"release-managers\"]}");
        }
        if (FieldChecks.Problem(("name", name, FieldLimits.Name, false), ("role", roleText, FieldLimits.Word, false), ("expires", body.Expires, FieldLimits.Word, false),
                ("environment", body.Environment, FieldLimits.Name, false)) is { } fieldProblem)
        {
            return fieldProblem;
        }
        var groups = body.Groups ?? [];
        if (groups.Count > FieldLimits.Groups)
        {
            return FieldChecks.BadRequest($"`groups` has {groups.Count} entries; a token carries at most {FieldLimits.Groups}");
        }
        for (var i = 0; i < groups.Count; i++)
        {
            if (groups[i] is null)
            {
                return FieldChecks.BadRequest($"`groups[{i}]` is null; give each group's name, e.g. \"groups\": [\"release-managers\"]");
            }
            if (FieldChecks.Problem(($"groups[{i}]", groups[i], FieldLimits.Name, false)) is { } groupProblem)
            {
                return groupProblem;
            }
        }
        if (AccessTokens.Read(name, roleText, groups, body.Expires is { Length: > 0 } expires ? expires : null, out var role, out var lifetime) is { } problem)
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad Request", detail: problem);
        }
        if (AccessTokens.EnvironmentProblem(role, body.Environment, config.Environments.Select(e => e.Name)) is { } environmentProblem)
        {
            return FieldChecks.BadRequest(environmentProblem);
        }
        var (token, secret) = await tokens.CreateAsync(name, role, groups, lifetime, CallerIdentity.Of(http).Name, cancellationToken,
            body.Environment is { Length: > 0 } environment ? environment : null);
        return TypedResults.Created($"/api/v1/tokens/{token.Id}",
            new CreatedTokenResponse(secret, token.Id, token.Name, token.Role.ToString().ToLowerInvariant(), token.Groups, token.ExpiresAt, token.Environment));
    }

    private static async Task<Results<Ok<TokenResponse[]>, ProblemHttpResult>> RevokeAsync(
        string? name, long? id, ITokenStore store, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        if (name is null && id is null)
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad Request", detail: "say which tokens to revoke: `DELETE /api/v1/tokens/{id}` or `DELETE /api/v1/tokens?name=alice`");
        }
        var revoked = await store.RevokeAsync(name, id, CallerIdentity.Of(http).Name, time.GetUtcNow(), cancellationToken);
        if (revoked.Count == 0)
        {
            return TypedResults.Problem(statusCode: 404, title: "Not Found",
                detail: $"no active token {(id is not null ? $"with id {id}" : $"named '{name}'")}; `onward tokens list` shows them");
        }
        return TypedResults.Ok(revoked.Select(t => t.ToResponse()).ToArray());
    }
}
