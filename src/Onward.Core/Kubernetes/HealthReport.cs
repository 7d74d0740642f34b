namespace Onward.Core.Kubernetes;

/// <summary>What the verification rules say about one object. <see cref="Done"/> is true when nothing more will change by waiting.</summary>
public sealed record HealthReport(string Kind, string Name, HealthStatus Status, bool Done, string Message);
