using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components.Endpoints;
using Onward.Core.Configuration;
using Onward.Server.Hosting;

namespace Onward.Server.Ui;

/// <summary>
/// Refuses a request that changes something through the UI (a form's POST, sign-out) when the browser says it comes
/// from another site: an <c>Origin</c> (or, without one, a <c>Referer</c>) that is not this server's own address (as
/// reached, or as <c>server.listen</c> and <c>server.publicUrl</c> say). Callers that send neither (no browser does for a
/// form) still need a form's anti-forgery token, which works only with its own session. After the anti-forgery
/// middleware it also answers a form whose token is missing or not this session's with a page saying so.
/// </summary>
public sealed class CrossSiteRefusal(RequestDelegate next, OnwardConfig config)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!UiSession.IsUi(request.Path) || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            await next(context);
            return;
        }
        var origin = request.Headers.Origin.ToString();
        var claimed = origin.Length > 0 ? origin : request.Headers.Referer.ToString();
        if (claimed.Length > 0 && !OwnOrigin(request, claimed))
        {
            await UiRefusal.WriteAsync(context, StatusCodes.Status403Forbidden, "Refused: sent from another site",
                $"This request came from {(origin == "null" ? "a page with no origin" : "a page that is not this server's")}; Onward takes changes only from its own pages. Open Onward's page and do it there.");
            return;
        }
        await next(context);
    }

    /// <summary>Placed after <c>UseAntiforgery</c>: a UI form whose token is missing or belongs to another session gets a page, not an empty 400.</summary>
    public static async Task RefuseForgedFormsAsync(HttpContext context, Func<Task> next)
    {
        if (context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false } && context.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>() is not null)
        {
            await UiRefusal.WriteAsync(context, StatusCodes.Status400BadRequest, "This form has expired",
                "The form was not sent from a page of your current session (it is older than your sign-in, or came from elsewhere). Reload the page and send it again.");
            return;
        }
        await next();
    }

    private bool OwnOrigin(HttpRequest request, string claimed)
    {
        if (!Uri.TryCreate(claimed, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return false;
        }
        var own = OwnAddresses.Of(config.Server).ToList();
        // With tokens the address a person reached the server by is its own (a session cookie goes to that host only);
        // without them, only its configured and loopback addresses are, so that a page whose name was made to point at
        // 127.0.0.1 (DNS rebinding) is not taken for Onward's own.
        if (config.Auth.Mode != AuthMode.None && Uri.TryCreate($"{request.Scheme}://{request.Host}", UriKind.Absolute, out var reached))
        {
            own.Add(reached);
        }
        return own.Any(o => string.Equals(o.Scheme, uri.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(o.IdnHost, uri.IdnHost, StringComparison.OrdinalIgnoreCase) && o.Port == uri.Port);
    }
}
