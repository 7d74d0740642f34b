namespace Onward.Core.Access;

/// <summary>API tokens, durably; creating and revoking them is recorded in the audit log in the same transaction.</summary>
public interface ITokenStore
{
    Task<AccessToken> AddAsync(NewAccessToken token, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The token with this secret hash, if it exists, is not revoked and has not expired at <paramref name="now"/>.</summary>
    Task<AccessToken?> FindActiveAsync(string secretHash, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The secret hash of the token with this id, if it exists, is not revoked and has not expired at <paramref name="now"/>.</summary>
    Task<string?> ActiveSecretHashAsync(long id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Oldest first; with <paramref name="after"/>, only tokens with a larger id (the next page).</summary>
    Task<IReadOnlyList<AccessToken>> ListAsync(int limit, long? after, CancellationToken cancellationToken);

    /// <summary>
    /// Records a person's sign-in with the provider: their record (a token no secret opens, so that sessions, revocation
    /// and the audit trail work as for tokens) created on the first, its name, role, groups and teams brought up to date
    /// on every later one. A record an admin revoked stays revoked: the person is refused with the reason.
    /// </summary>
    Task<(AccessToken? Person, string? Refusal)> SignInPersonAsync(PersonSignIn person, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>People who signed in with the provider, most recent sign-in first.</summary>
    Task<IReadOnlyList<AccessToken>> ListPeopleAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Revokes every active token of <paramref name="name"/>, or only the one with <paramref name="id"/>.</summary>
    /// <returns>The tokens revoked now.</returns>
    Task<IReadOnlyList<AccessToken>> RevokeAsync(string? name, long? id, string revokedBy, DateTimeOffset now, CancellationToken cancellationToken);
}
