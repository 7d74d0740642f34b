namespace Onward.Core.Access;

/// <summary>Who acts: the name that goes into event logs, what they may do, and the groups approvals are given to.</summary>
public sealed record Identity(string Name, Role Role, IReadOnlyList<string> Groups)
{
    /// <summary>For an SDK key, the one environment whose flags it may evaluate.</summary>
    public string? Environment { get; init; }

    /// <summary>For a person who signed in with the provider: <c>issuer#sub</c>, what tells two people apart whatever their names.</summary>
    public string? Subject { get; init; }

    /// <summary>Roles above <see cref="Role"/> held only for some services or environments (a team's, from <c>auth.oidc.roles</c>).</summary>
    public IReadOnlyList<RoleRule> Teams { get; init; } = [];

    public bool IsIn(string group) => Groups.Contains(group, StringComparer.Ordinal);
}
