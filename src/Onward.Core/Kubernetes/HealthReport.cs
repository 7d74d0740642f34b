namespace Onward.Core.Kubernetes;

/// <summary>What the verification rules say about one object. <see cref="Done"/> is true when nothing more will change by waiting.</summary>
public sealed record HealthReport(string Kind, string Name, HealthStatus Status, bool Done, string Message)
{
    /// <summary>For a pod that failed because of one of its containers: that container's name.</summary>
    public string? Container { get; init; }

    /// <summary>Each set of rules' own verdict (kubectl, kstatus, Argo CD) that the report combines.</summary>
    public IReadOnlyList<HealthView> Views { get; init; } = [];
}
