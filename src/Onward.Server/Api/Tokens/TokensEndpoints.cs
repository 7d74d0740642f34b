using Microsoft.AspNetCore.Http.HttpResults;
using Onward.Contracts.Tokens;
using Onward.Core.Access;
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
    }

    public static TokenResponse ToResponse(this AccessToken token) => new(
        token.Id, token.Name, token.Role.ToString().ToLowerInvariant(), token.Groups, token.CreatedAt, token.CreatedBy, token.RevokedAt, token.ExpiresAt);

    private static async Task<Ok<TokenResponse[]>> ListAsync(ITokenStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok((await store.ListAsync(cancellationToken)).Select(t => t.ToResponse()).ToArray());

    private static async Task<Results<Created<CreatedTokenResponse>, ProblemHttpResult>> CreateAsync(
        TokenRequestBody? body, AccessTokens tokens, HttpContext http, CancellationToken cancellationToken)
    {
        if (body?.Name is not { Length: > 0 } name || body.Role is not { Length: > 0 } roleText)
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad Request",
                detail: "send a JSON body with `name` and `role`, e.g. {\"name\":\"alice\",\"role\":\"approver\",\"groups\":[\"release-managers\"]}");
        }
        var groups = body.Groups ?? [];
        if (AccessTokens.Read(name, roleText, groups, body.Expires is { Length: > 0 } expires ? expires : null, out var role, out var lifetime) is { } problem)
        {
            return TypedResults.Problem(statusCode: 400, title: "Bad Request", detail: problem);
        }
        var (token, secret) = await tokens.CreateAsync(name, role, groups, lifetime, CallerIdentity.Of(http).Name, cancellationToken);
        return TypedResults.Created($"/api/v1/tokens/{token.Id}",
            new CreatedTokenResponse(secret, token.Id, token.Name, token.Role.ToString().ToLowerInvariant(), token.Groups, token.ExpiresAt));
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
