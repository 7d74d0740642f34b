using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Pipeline;
using Onward.Server.Ofrep;

namespace Onward.Server.Auth;

/// <summary>
/// Establishes the caller of every <c>/api</c> (and <c>/metrics</c>) request from its <c>Authorization: Bearer</c> token,
/// and of OFREP evaluations and events from theirs (<c>Authorization: Bearer</c> or <c>X-API-Key</c>, as OpenFeature
/// providers send it). A request without a token stays anonymous (the endpoints answer 401), except with
/// <c>auth.mode: none</c> (accepted only on a loopback address), where it is an anonymous admin. A token that is unknown
/// or revoked is refused in either mode rather than silently ignored: at once for the API, and by
/// <see cref="Ofrep.SdkAccess"/> in OFREP's own shape, with the environment's CORS headers. Webhook routes check their
/// own signatures; the web UI has its sessions.
/// </summary>
public sealed class AuthenticationMiddleware(
    RequestDelegate next, OnwardConfig config, AccessTokens tokens, IServiceProvider services, TimeProvider time, ILogger<AuthenticationMiddleware> logger)
{
    /// <summary>Access tokens from the company's provider, when <c>auth.oidc</c> is set.</summary>
    private readonly ProviderAccessTokens? _provider = services.GetService<ProviderAccessTokens>();

    private static readonly Identity Anonymous = new(Actors.Anonymous, Role.Admin, []);

    public async Task InvokeAsync(HttpContext context)
    {
        if (OfrepRoutes.TakesSdkKey(context))
        {
            await EstablishSdkCallerAsync(context);
            await next(context);
            return;
        }
        if (!context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            && !context.Request.Path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }
        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length > 0 && _provider is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && header["Bearer ".Length..].Trim() is var jwt && ProviderAccessTokens.LooksLikeJwt(jwt))
        {
            var (person, refusal) = await _provider.AuthenticateAsync(jwt, context.RequestAborted);
            if (person is null)
            {
                logger.LogWarning("API {Method} {Path} refused: {Reason}", context.Request.Method, context.Request.Path, refusal);
                await Results.Problem(statusCode: 401, title: "Unauthorized", detail: refusal).ExecuteAsync(context);
                return;
            }
            CallerIdentity.Attach(context, person);
        }
        else if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header["Bearer ".Length..].Trim() is var session && CliSignIn.IsSession(session))
        {
            // The CLI's session from `onward login`: as long as the person's session lasts.
            if (await context.RequestServices.GetRequiredService<ISessionStore>().FindActiveAsync(TokenSecrets.Hash(session), time.GetUtcNow(), context.RequestAborted)
                is not { Token.Identity.Role: not Role.Sdk } found)
            {
                logger.LogWarning("API {Method} {Path} refused: the CLI's session has ended", context.Request.Method, context.Request.Path);
                await Results.Problem(statusCode: 401, title: "Unauthorized", detail: "this session of the CLI has ended (signed out, expired or revoked); run `onward login` again").ExecuteAsync(context);
                return;
            }
            CallerIdentity.Attach(context, found.Token.Identity);
        }
        else if (header.Length > 0)
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

    private async Task EstablishSdkCallerAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var secret = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : context.Request.Headers["X-API-Key"].ToString().Trim();
        if (secret.Length == 0)
        {
            if (config.Auth.Mode == AuthMode.None)
            {
                CallerIdentity.Attach(context, Anonymous);
            }
        }
        else if (await tokens.FindAsync(secret, context.RequestAborted) is { } token)
        {
            CallerIdentity.Attach(context, token, secret);
        }
        else
        {
            CallerIdentity.RefuseToken(context);
        }
    }
}
