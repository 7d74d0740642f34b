using System.Text.Json;
using Onward.Core.Access;
using Onward.Core.Configuration;
using Onward.Core.Flags;
using Onward.Server.Auth;

namespace Onward.Server.Ofrep;

/// <summary>
/// Who may evaluate an environment's flags and send its events: with tokens on, any caller the authentication
/// middleware established, except that an SDK key evaluates its own environment only. Every answer, refusals included,
/// carries the environment's CORS headers, so that a browser client can read why it was refused.
/// </summary>
public sealed class SdkAccess : IEndpointFilter
{
    /// <summary>The endpoint metadata that marks a route taking SDK keys.</summary>
    internal static readonly SdkAccess Marker = new();

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var config = http.RequestServices.GetRequiredService<OnwardConfig>();
        OfrepCors.Allow(http, config);
        var environment = http.Request.RouteValues["environment"] as string ?? "";
        var key = http.Request.RouteValues["key"] as string;
        if (Refusal(http, config, environment, key) is not { } refused)
        {
            return await next(context);
        }
        await OfrepJson.WriteAsync(http, refused.Status, refused.Body);
        return Results.Empty;
    }

    private static (int Status, Action<Utf8JsonWriter> Body)? Refusal(HttpContext http, OnwardConfig config, string environment, string? key)
    {
        if (config.FindEnvironment(environment) is null)
        {
            return (404, w => OfrepJson.Failure(w, key, FlagErrorCodes.FlagNotFound, $"unknown environment '{environment}'; the OFREP base URL is {{server}}/flags/{{environment}}"));
        }
        if (CallerIdentity.TokenRefused(http))
        {
            return (401, OfrepJson.Details("the token is unknown or revoked"));
        }
        return CallerIdentity.Find(http) switch
        {
            null => (401, OfrepJson.Details("send a token as `Authorization: Bearer TOKEN` or `X-API-Key: TOKEN`")),
            { Role: Role.Sdk } sdk when sdk.Environment != environment =>
                (403, OfrepJson.Details($"this SDK key evaluates the flags of {sdk.Environment} only; create one for {environment} (onward tokens create --role sdk --env {environment})")),
            _ => null,
        };
    }
}
