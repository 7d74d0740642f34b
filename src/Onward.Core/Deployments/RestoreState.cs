namespace Onward.Core.Deployments;

/// <summary>
/// How the restore after a failed deployment stands. The deployment is <c>Failed</c> as soon as the failure is known;
/// its job then brings the previous release back and verifies it, durably, step by step. The API sends the names in
/// lowercase (<c>pending</c>, <c>verifying</c>, <c>done</c>, <c>failed</c>).
/// </summary>
public enum RestoreState
{
    Pending,
    Verifying,
    Done,
    Failed,
}
