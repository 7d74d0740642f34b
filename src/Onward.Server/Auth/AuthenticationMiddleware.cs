using Onward.Core.Configuration;
using Onward.Core.Pipeline;

namespace Onward.Server.Auth;

/// <summary>
/// Establishes the <see cref="Caller"/> of every <c>/api</c> request. With <c>auth.mode: none</c> (accepted only on a
/// loopback address) everyone is an anonymous admin.
/// </summary>
public sealed class AuthenticationMiddleware(RequestDelegate next, OnwardConfig config)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (config.Auth.Mode == AuthMode.None)
        {
            new Caller(Actors.Anonymous, Role.Admin).AttachTo(context);
        }
        return next(context);
    }
}
