namespace Onward.Core.Access;

/// <summary>Who acts: the name that goes into event logs, what they may do, and the groups approvals are given to.</summary>
public sealed record Identity(string Name, Role Role, IReadOnlyList<string> Groups)
{
    public bool IsIn(string group) => Groups.Contains(group, StringComparer.Ordinal);
}
