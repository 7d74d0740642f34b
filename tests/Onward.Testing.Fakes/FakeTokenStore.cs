using Onward.Core.Access;
using Onward.Core.Audit;

namespace Onward.Testing.Fakes;

/// <summary>Tokens in memory, by the hash of their secret, with the store's rules: expiry, revocation ending the token's web sessions, each change in the audit trail.</summary>
public sealed class FakeTokenStore(FakeDatabase database) : ITokenStore
{
    private readonly List<(AccessToken Token, string SecretHash)> _tokens = [];

    public FakeTokenStore()
        : this(new FakeDatabase())
    {
    }

    /// <summary>The web sessions that end with a revoked token (set when both are used together).</summary>
    internal FakeSessionStore? Sessions { get; set; }

    public Task<AccessToken> AddAsync(NewAccessToken token, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            var added = new AccessToken(_tokens.Count + 1, token.Name, token.Role, token.Groups, now, token.CreatedBy, null)
            {
                ExpiresAt = token.ExpiresAt,
                Environment = token.Environment,
            };
            _tokens.Add((added, token.SecretHash));
            database.AddAudit(now, token.CreatedBy, "token.created", null, AuditMessages.TokenCreated(added.Id, token));
            return Task.FromResult(added);
        }
    }

    public Task<AccessToken?> FindActiveAsync(string secretHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            return Task.FromResult(_tokens.Where(t => t.SecretHash == secretHash && Active(t.Token, now)).Select(t => t.Token).FirstOrDefault());
        }
    }

    public Task<string?> ActiveSecretHashAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            return Task.FromResult(_tokens.Where(t => t.Token.Id == id && Active(t.Token, now)).Select(t => t.SecretHash).FirstOrDefault());
        }
    }

    public Task<IReadOnlyList<AccessToken>> ListAsync(int limit, long? after, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            return Task.FromResult<IReadOnlyList<AccessToken>>(_tokens.Select(t => t.Token).Where(t => after is null || t.Id > after).OrderBy(t => t.Id).Take(limit).ToList());
        }
    }

    public Task<(AccessToken? Person, string? Refusal)> SignInPersonAsync(PersonSignIn person, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            var index = _tokens.FindIndex(t => t.Token.Subject == person.Subject);
            if (index >= 0 && _tokens[index].Token.RevokedAt is not null)
            {
                return Task.FromResult<(AccessToken?, string?)>((null, $"an admin revoked {_tokens[index].Token.Name}'s access to Onward"));
            }
            var signedIn = new AccessToken(index >= 0 ? _tokens[index].Token.Id : _tokens.Count + 1, index >= 0 ? _tokens[index].Token.Name : person.Username,
                person.Role, person.Groups, index >= 0 ? _tokens[index].Token.CreatedAt : now, "oidc", null)
            {
                Subject = person.Subject,
                Email = person.Email,
                LastSignedInAt = now,
                Teams = person.Teams,
            };
            if (index >= 0)
            {
                _tokens[index] = (signedIn, _tokens[index].SecretHash);
            }
            else
            {
                _tokens.Add((signedIn, TokenSecrets.Hash(TokenSecrets.Generate())));
            }
            return Task.FromResult<(AccessToken?, string?)>((signedIn, null));
        }
    }

    public Task<IReadOnlyList<AccessToken>> ListPeopleAsync(int limit, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            return Task.FromResult<IReadOnlyList<AccessToken>>(_tokens.Select(t => t.Token).Where(t => t.IsPerson).OrderByDescending(t => t.LastSignedInAt).Take(limit).ToList());
        }
    }

    public Task<IReadOnlyList<AccessToken>> RevokeAsync(string? name, long? id, string revokedBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (database.Gate)
        {
            var revoked = new List<AccessToken>();
            for (var i = 0; i < _tokens.Count; i++)
            {
                var (token, hash) = _tokens[i];
                if (token.RevokedAt is null && (name is null || token.Name == name) && (id is null || token.Id == id))
                {
                    var ended = Sessions?.EndAllOf(token.Id, SessionEndings.TokenRevoked, now) ?? 0;
                    _tokens[i] = (token with { RevokedAt = now }, hash);
                    revoked.Add(_tokens[i].Token);
                    database.AddAudit(now, revokedBy, "token.revoked", null, AuditMessages.TokenRevoked(token, ended));
                }
            }
            return Task.FromResult<IReadOnlyList<AccessToken>>(revoked);
        }
    }

    internal bool IsActive(long id, DateTimeOffset now) => _tokens.Any(t => t.Token.Id == id && Active(t.Token, now));

    internal string? HashOf(long id) => _tokens.Where(t => t.Token.Id == id).Select(t => t.SecretHash).FirstOrDefault();

    private static bool Active(AccessToken token, DateTimeOffset now) => token.RevokedAt is null && (token.ExpiresAt is null || token.ExpiresAt > now);
}
