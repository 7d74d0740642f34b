using Onward.Core.Pipeline;

namespace Onward.Integrations.Kubernetes;

/// <summary>The API server could not take a request now (5xx, 429, 408); the step tries again.</summary>
public sealed class KubernetesException(string message, int status) : Exception(message), IStepFailure
{
    public int Status { get; } = status;

    public bool IsPermanent => Failures.IsPermanentStatus(Status);
}
