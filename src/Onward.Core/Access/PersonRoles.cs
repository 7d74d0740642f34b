using Onward.Core.Configuration;

namespace Onward.Core.Access;

/// <summary>
/// What a person who signed in with the provider may do, from the groups it says they are in and <c>auth.oidc.roles</c>:
/// the highest role a rule gives everywhere, the rules that give a role only for some services or environments, and
/// viewer wherever they have any role at all. A person no rule covers is refused.
/// </summary>
public static class PersonRoles
{
    /// <returns>The role everywhere and the team rules; or, when no rule covers the person, why they are refused.</returns>
    public static (Role Role, IReadOnlyList<RoleRule> Teams, string? Refusal) Resolve(OidcOptions oidc, IReadOnlyCollection<string> groups)
    {
        var covering = oidc.Roles.Where(r => r.Covers(groups)).ToList();
        if (covering.Count == 0)
        {
            var shown = groups.Count == 0 ? "no groups" : $"the groups {string.Join(", ", groups.Take(20))}";
            return (Role.Viewer, [], $"the provider says this person is in {shown}, and auth.oidc.roles gives none of them a role");
        }
        var everywhere = covering.Where(r => r.Everywhere).Select(r => r.Role).DefaultIfEmpty(Role.Viewer).Max();
        var teams = covering.Where(r => !r.Everywhere && r.Role > everywhere).ToList();
        return (everywhere, teams, null);
    }
}
