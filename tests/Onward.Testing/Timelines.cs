using Onward.Contracts.Deployments;

namespace Onward.Testing;

/// <summary>A deployment's timeline read as its changes of state, leaving out what was heard on the way (progress, notes).</summary>
public static class Timelines
{
    /// <summary>The events that changed the deployment's state: each one whose state differs from the one before it.</summary>
    public static IReadOnlyList<DeploymentEventResponse> Transitions(this IEnumerable<DeploymentEventResponse> events)
    {
        var changes = new List<DeploymentEventResponse>();
        foreach (var e in events)
        {
            if (changes.Count == 0 || changes[^1].State != e.State)
            {
                changes.Add(e);
            }
        }
        return changes;
    }
}
