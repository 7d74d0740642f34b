namespace Onward.Core.Kubernetes;

public enum HealthStatus
{
    Progressing,
    Healthy,
    Failed,
}
