using Onward.Core.Configuration;

namespace Onward.Server.Ofrep;

/// <summary>CORS for browser clients, per environment (<c>flags: { cors: [origins] }</c>): only listed origins get the headers.</summary>
public static class OfrepCors
{
    /// <summary>Adds the CORS headers when the request's origin is allowed for its environment; whether it is.</summary>
    public static bool Allow(HttpContext http, OnwardConfig config)
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length == 0 || http.Request.RouteValues["environment"] is not string name || config.FindEnvironment(name) is not { } environment)
        {
            return false;
        }
        var allowed = environment.Flags.Cors.Contains("*") ? "*" : environment.Flags.Cors.FirstOrDefault(o => string.Equals(o, origin, StringComparison.OrdinalIgnoreCase));
        if (allowed is null)
        {
            return false;
        }
        http.Response.Headers.AccessControlAllowOrigin = allowed == "*" ? "*" : origin;
        http.Response.Headers.Vary = "Origin";
        http.Response.Headers.AccessControlExposeHeaders = "ETag";
        return true;
    }

    public static IResult Preflight(HttpContext http, OnwardConfig config)
    {
        if (!Allow(http, config))
        {
            return Results.StatusCode(403);
        }
        http.Response.Headers.AccessControlAllowMethods = "POST, OPTIONS";
        http.Response.Headers.AccessControlAllowHeaders = "Content-Type, Authorization, X-API-Key, If-None-Match, " + OfrepRoutes.SelectorHeader;
        http.Response.Headers.AccessControlMaxAge = "600";
        return Results.NoContent();
    }
}
