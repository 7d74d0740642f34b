namespace Onward.Core.Access;

/// <summary>
/// One line of <c>auth.oidc.roles</c>: the members of <see cref="Group"/> (<c>*</c> for everyone who signs in) have
/// <see cref="Role"/>, everywhere, or only for the services and environments named.
/// </summary>
public sealed record RoleRule(Role Role, string Group, IReadOnlyList<string>? Services = null, IReadOnlyList<string>? Environments = null)
{
    public const string Anyone = "*";

    public bool Everywhere => Services is null && Environments is null;

    public bool Covers(IReadOnlyCollection<string> groups) => Group == Anyone || groups.Contains(Group, StringComparer.Ordinal);
}
