using Onward.Core.Access;

namespace Onward.Server.Auth;

public static class RoleFilterExtensions
{
    public static TBuilder RequireRole<TBuilder>(this TBuilder builder, Role role)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new RoleFilter(role));

    /// <summary>
    /// The role everywhere or for some team's services or environments: the action itself then checks that it holds
    /// where it acts (<see cref="Permissions.WhyNotOn"/>), saying which team role is missing.
    /// </summary>
    public static TBuilder RequireRoleSomewhere<TBuilder>(this TBuilder builder, Role role)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new RoleFilter(role, somewhere: true));
}
