using Onward.Core.Access;

namespace Onward.Server.Auth;

public static class RoleFilterExtensions
{
    public static TBuilder RequireRole<TBuilder>(this TBuilder builder, Role role)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new RoleFilter(role));
}
