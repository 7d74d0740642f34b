using Onward.Core.Access;

namespace Onward.Server.Auth;

/// <summary>401 without a caller, 403 when the caller's role is below what the endpoint needs.</summary>
/// <param name="somewhere">Whether a team's role (for some services or environments) is enough to get past the route.</param>
public sealed class RoleFilter(Role required, bool somewhere = false) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (CallerIdentity.Find(context.HttpContext) is not { } caller)
        {
            return TypedResults.Problem(statusCode: 401, title: "Unauthorized",
                detail: "send `Authorization: Bearer <token>` (the CLI reads ONWARD_TOKEN or --token); an admin creates tokens with `onward tokens create`");
        }
        if (somewhere ? !caller.MayAnywhere(required) : !caller.May(required))
        {
            return TypedResults.Problem(statusCode: 403, title: "Forbidden",
                detail: $"{caller.Name} has the role {caller.Role.ToString().ToLowerInvariant()}; this needs {required.ToString().ToLowerInvariant()} or above");
        }
        return await next(context);
    }
}
