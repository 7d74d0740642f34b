namespace Onward.Core.Configuration;

/// <param name="Mode"><c>none</c> (loopback only) or <c>tokens</c>.</param>
public sealed record AuthOptions(AuthMode Mode)
{
    /// <summary>Sign-in with an OpenID provider for people; null when only tokens sign in.</summary>
    public OidcOptions? Oidc { get; init; }
}
