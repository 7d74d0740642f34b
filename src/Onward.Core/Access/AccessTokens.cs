using System.Text.RegularExpressions;
using Onward.Contracts.Problems;
using Onward.Core.Configuration;
using Onward.Core.Pipeline;

namespace Onward.Core.Access;

/// <summary>Creates, revokes and checks API tokens (roles viewer, deployer, approver, admin, and sdk; see the README's "Tokens and roles").</summary>
public sealed partial class AccessTokens(ITokenStore store, TimeProvider time)
{
    /// <returns>The token record and its secret, which is shown this once and never again.</returns>
    /// <param name="lifetime">How long the token works; null for until it is revoked.</param>
    public async Task<(AccessToken Token, string Secret)> CreateAsync(
        string name, Role role, IReadOnlyList<string> groups, TimeSpan? lifetime, string createdBy, CancellationToken cancellationToken, string? environment = null)
    {
        if (Problem(name, groups) is { } problem)
        {
            throw new ArgumentException(problem);
        }
        var secret = TokenSecrets.Generate();
        var now = time.GetUtcNow();
        var token = await store.AddAsync(
            new NewAccessToken(name, role, groups.Distinct(StringComparer.Ordinal).ToList(), TokenSecrets.Hash(secret), createdBy) { ExpiresAt = now + lifetime, Environment = environment },
            now, cancellationToken);
        return (token, secret);
    }

    /// <summary>
    /// Issues a token as an admin asks for one, through the API or the CLI on the server's database: the name, role,
    /// groups, lifetime and environment are checked here, once.
    /// </summary>
    /// <param name="environments">The environments an SDK key may name.</param>
    public async Task<TokenIssue> IssueAsync(TokenOrder order, IEnumerable<string> environments, string by, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(order.Name) || string.IsNullOrEmpty(order.Role))
        {
            return TokenIssue.Refused("send a JSON body with `name` and `role`, e.g. {\"name\":\"alice\",\"role\":\"approver\",\"groups\":[\"release-managers\"]}");
        }
        var groups = order.Groups ?? [];
        if (groups.Count > FieldLimits.Groups)
        {
            return TokenIssue.Refused($"`groups` has {groups.Count} entries; a token carries at most {FieldLimits.Groups}");
        }
        for (var i = 0; i < groups.Count; i++)
        {
            if (groups[i] is null)
            {
                return TokenIssue.Refused($"`groups[{i}]` is null; give each group's name, e.g. \"groups\": [\"release-managers\"]");
            }
        }
        var named = groups.Select(g => g!).ToList();
        var environment = string.IsNullOrEmpty(order.Environment) ? null : order.Environment;
        if (Read(order.Name, order.Role, named, string.IsNullOrEmpty(order.Expires) ? null : order.Expires, out var role, out var lifetime) is { } problem)
        {
            return TokenIssue.Refused(problem);
        }
        if (EnvironmentProblem(role, environment, environments) is { } environmentProblem)
        {
            return TokenIssue.Refused(environmentProblem);
        }
        var (token, secret) = await CreateAsync(order.Name, role, named, lifetime, by, cancellationToken, environment);
        return new TokenIssue(token, secret, null);
    }

    /// <summary>Revokes every active token of <paramref name="name"/>, or the one with <paramref name="id"/>; those revoked.</summary>
    public Task<IReadOnlyList<AccessToken>> RevokeAsync(string? name, long? id, string by, CancellationToken cancellationToken) =>
        store.RevokeAsync(name, id, by, time.GetUtcNow(), cancellationToken);

    /// <summary>
    /// Reads a request for a token as the API and the CLI receive it: a role by name and an optional lifetime such as
    /// <c>90d</c>.
    /// </summary>
    /// <returns>What is wrong with it, or null.</returns>
    public static string? Read(string name, string roleText, IReadOnlyList<string> groups, string? expires, out Role role, out TimeSpan? lifetime)
    {
        lifetime = null;
        if (!TryParseRole(roleText, out role))
        {
            return $"unknown role '{roleText}'; use viewer, deployer, approver, admin, or sdk (with an environment) for an OpenFeature SDK";
        }
        if (Problem(name, groups) is { } problem)
        {
            return problem;
        }
        if (expires is null)
        {
            return null;
        }
        lifetime = ParseLifetime(expires, out var lifetimeProblem);
        return lifetimeProblem;
    }

    /// <summary>Whether a token name or group name is one tokens can carry.</summary>
    public static bool IsValidName(string name) => NameRegex().IsMatch(name);

    /// <summary>A person's name as a token's would be written: lowercase, only the characters names take, at most 50 of them.</summary>
    public static string PersonName(string username)
    {
        var name = new string(username.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '@' or '-' ? c : '-').ToArray()).TrimStart('.', '_', '@', '-');
        name = name.Length > 50 ? name[..50] : name;
        return name.Length == 0 ? "person" : name;
    }

    /// <summary>What is wrong with a token's name or groups, or null.</summary>
    public static string? Problem(string name, IReadOnlyList<string> groups)
    {
        // Names are compared exactly (distinct approvers, self-approval), so they are lowercase: "Alice" and "alice"
        // cannot pass for two people.
        if (!NameRegex().IsMatch(name))
        {
            return $"'{name}' is not a valid token name; use lowercase letters, digits, '.', '_', '@' and '-' (a person's or a robot's name, e.g. alice or ci-bot)";
        }
        if (name is Actors.Onward or Actors.Anonymous)
        {
            return $"'{name}' is the name Onward itself acts under in event logs; give the token a person's or a robot's name";
        }
        var bad = groups.FirstOrDefault(g => !NameRegex().IsMatch(g));
        return bad is null ? null : $"'{bad}' is not a valid group name; use lowercase letters, digits, '.', '_' and '-' (e.g. release-managers)";
    }

    /// <summary>The longest a token may be made to work; longer is a mistake, and "until revoked" is what to ask for.</summary>
    public static readonly TimeSpan LongestLifetime = TimeSpan.FromDays(3660);

    /// <summary>Reads a lifetime such as <c>90d</c>; null and an error when it is not one.</summary>
    public static TimeSpan? ParseLifetime(string text, out string? problem)
    {
        problem = !DurationText.TryParse(text, out var lifetime) || lifetime <= TimeSpan.Zero
            ? $"'{text}' is not a duration; write how long the token works, e.g. 90d or 12h"
            : lifetime > LongestLifetime ? $"'{text}' is longer than ten years; leave the expiry out for a token that works until it is revoked"
            : null;
        return problem is null ? lifetime : null;
    }

    /// <summary>An SDK key names one environment, and only an SDK key names one.</summary>
    public static string? EnvironmentProblem(Role role, string? environment, IEnumerable<string> known) => (role, environment) switch
    {
        (Role.Sdk, null or "") => "an sdk token evaluates one environment's flags: give the environment (--env prod, or \"environment\": \"prod\")",
        (Role.Sdk, _) when !known.Contains(environment, StringComparer.Ordinal) => $"unknown environment '{environment}'; known environments: {string.Join(", ", known)}",
        (not Role.Sdk, { Length: > 0 }) => "only an sdk token is limited to an environment; leave the environment out for other roles",
        _ => null,
    };

    private static bool TryParseRole(string text, out Role role) =>
        Enum.TryParse(text, ignoreCase: true, out role) && Enum.IsDefined(role) && !int.TryParse(text, out _);

    public async Task<Identity?> AuthenticateAsync(string secret, CancellationToken cancellationToken) => (await FindAsync(secret, cancellationToken))?.Identity;

    /// <summary>The active token with this secret, or null.</summary>
    public async Task<AccessToken?> FindAsync(string secret, CancellationToken cancellationToken) =>
        secret.StartsWith(TokenSecrets.Prefix, StringComparison.Ordinal)
            ? await store.FindActiveAsync(TokenSecrets.Hash(secret), time.GetUtcNow(), cancellationToken)
            : null;

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._@-]{0,63}$")]
    private static partial Regex NameRegex();
}
