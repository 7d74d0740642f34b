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
}
