using Onward.Core.Configuration;

namespace Onward.Server.Hosting;

/// <summary>
/// With <c>auth.mode: none</c> (loopback only, everyone an admin) a request must be addressed to this server by one of
/// its own names: a web page whose name was made to point at 127.0.0.1 (DNS rebinding) would otherwise drive the API as
/// the anonymous admin from a browser on this machine. Refused with 400 and a problem naming the Host.
/// </summary>
public sealed class LoopbackHosts(RequestDelegate next, OnwardConfig config, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (config.Auth.Mode != AuthMode.None || OwnAddresses.Names(config.Server, context.Request.Host))
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status400BadRequest,
                Detail = $"this server answers requests addressed to {config.Server.Listen.Authority} (or localhost) only, not to '{Shown(context.Request.Host.Value)}'; "
                    + "with `auth.mode: none` it takes no other name, so that no web page can reach it under a name of its own",
            },
        });
    }

    private static string Shown(string? host) => host is null ? "" : Onward.Core.Messages.TextCut.After(host, 100);
}
