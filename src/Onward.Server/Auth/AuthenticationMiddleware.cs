using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Pipeline;

namespace Onward.Server.Auth;

/// <summary>
/// Establishes the caller of every <c>/api</c> (and <c>/metrics</c>) request from its <c>Authorization: Bearer</c> token. A request without
/// a token stays anonymous (the endpoints answer 401), except with <c>auth.mode: none</c> (accepted only on a loopback
/// address), where it is an anonymous admin. A token that is unknown or revoked is refused in either mode rather than
/// silently ignored. Webhook routes are not under <c>/api</c> and check their own signatures.
/// </summary>
public sealed class AuthenticationMiddleware(RequestDelegate next, OnwardConfig config, AccessTokens tokens, ILogger<AuthenticationMiddleware> logger)
{
    private static readonly Identity Anonymous = new(Actors.Anonymous, Role.Admin, []);

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            && !context.Request.Path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }
        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                || await tokens.AuthenticateAsync(header["Bearer ".Length..].Trim(), context.RequestAborted) is not { } identity)
            {
                logger.LogWarning("API {Method} {Path} refused: the token is unknown or revoked", context.Request.Method, context.Request.Path);
                await Results.Problem(statusCode: 401, title: "Unauthorized",
                    detail: "the bearer token is unknown or revoked; ask an admin for a new one (`onward tokens create`)").ExecuteAsync(context);
                return;
            }
            CallerIdentity.Attach(context, identity);
        }
        else if (config.Auth.Mode == AuthMode.None)
        {
            CallerIdentity.Attach(context, Anonymous);
        }
        await next(context);
        logger.LogInformation("API {Method} {Path} by {Actor} answered {Status}",
            context.Request.Method, context.Request.Path, CallerIdentity.Find(context)?.Name ?? "(no token)", context.Response.StatusCode);
    }
}
