using Onward.Contracts.Tokens;
using Onward.Core.Access;

namespace Onward.Server.Api.Tokens;

/// <summary>Tokens and web sessions as the API answers and the CLI prints them.</summary>
public static class TokenMapping
{
    public static TokenResponse ToResponse(this AccessToken token) => new(
        token.Id, token.Name, token.Role.ToString().ToLowerInvariant(), token.Groups, token.CreatedAt, token.CreatedBy, token.RevokedAt, token.ExpiresAt, token.Environment);

    public static PersonResponse ToPersonResponse(this AccessToken person) => new(
        person.Id, person.Name, person.Subject ?? "", person.Email, person.Role.ToString().ToLowerInvariant(), person.Groups,
        person.Teams.Select(Describe).ToList(), person.CreatedAt, person.LastSignedInAt, person.RevokedAt);

    /// <summary>A team's role in words: <c>deployer of shop, billing in prod (group shop-team)</c>.</summary>
    public static string Describe(RoleRule team) =>
        $"{team.Role.ToString().ToLowerInvariant()}{(team.Services is { } s ? " of " + string.Join(", ", s) : "")}{(team.Environments is { } e ? " in " + string.Join(", ", e) : "")} (group {team.Group})";

    public static CreatedTokenResponse ToCreatedResponse(this AccessToken token, string secret) =>
        new(secret, token.Id, token.Name, token.Role.ToString().ToLowerInvariant(), token.Groups, token.ExpiresAt, token.Environment);

    public static SessionResponse ToResponse(this UiSessionRecord session, DateTimeOffset now) => new(
        session.Id, session.TokenId, session.Name, session.CreatedAt, session.LastSeenAt, session.ExpiresAt, session.EndedAt, session.EndedReason,
        session.Address, session.UserAgent, session.Active(now));
}
