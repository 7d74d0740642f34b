namespace Onward.Core.Access;

/// <summary>Who acts: the name that goes into event logs, what they may do, and the groups approvals are given to.</summary>
public sealed record Identity(string Name, Role Role, IReadOnlyList<string> Groups)
{
    /// <summary>For an SDK key, the one environment whose flags it may evaluate.</summary>
    public string? Environment { get; init; }

    public bool IsIn(string group) => Groups.Contains(group, StringComparer.Ordinal);
}
