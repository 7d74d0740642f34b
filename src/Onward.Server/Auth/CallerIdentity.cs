using Onward.Core.Access;

namespace Onward.Server.Auth;

/// <summary>The <see cref="Identity"/> of the caller of an API request, as the authentication middleware established it.</summary>
public static class CallerIdentity
{
    private const string Key = "onward.identity";

    public static Identity? Find(HttpContext context) =>
        context.Items.TryGetValue(Key, out var identity) ? identity as Identity : null;

    public static Identity Of(HttpContext context) =>
        Find(context) ?? throw new InvalidOperationException("the request was not authenticated");

    public static void Attach(HttpContext context, Identity identity) => context.Items[Key] = identity;

    /// <summary>The caller's token and its secret, when a token authenticated the request (a stream ticket is made from them).</summary>
    public static (AccessToken Token, string Secret)? Token(HttpContext context) =>
        context.Items.TryGetValue(TokenKey, out var token) ? ((AccessToken, string))token! : null;

    public static void Attach(HttpContext context, AccessToken token, string secret)
    {
        Attach(context, token.Identity);
        context.Items[TokenKey] = (token, secret);
    }

    /// <summary>Whether the request came with a token that is unknown, revoked or expired (and so has no caller).</summary>
    public static bool TokenRefused(HttpContext context) => context.Items.ContainsKey(RefusedKey);

    public static void RefuseToken(HttpContext context) => context.Items[RefusedKey] = true;

    private const string TokenKey = "onward.token";
    private const string RefusedKey = "onward.token-refused";
}
