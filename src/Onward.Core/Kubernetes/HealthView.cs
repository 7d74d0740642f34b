namespace Onward.Core.Kubernetes;

/// <summary>
/// One set of rules' verdict on an object: <c>kubectl</c> (<c>kubectl rollout status</c>), <c>kstatus</c>
/// (kubernetes-sigs/cli-utils) or <c>argocd</c> (Argo CD's built-in health checks, gitops-engine).
/// </summary>
/// <param name="Status">The verdict in Onward's terms.</param>
/// <param name="State">The verdict in the rules' own words, e.g. <c>InProgress</c> or <c>Degraded</c>.</param>
/// <param name="Reason">The rules' reason code where they give one (kstatus), else empty.</param>
public sealed record HealthView(string Rules, HealthStatus Status, string State, string Reason, string Message);
