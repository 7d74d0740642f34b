namespace Onward.Core.Deployments;

/// <summary>
/// How the restore after a failed deployment stands. The deployment is <c>Failed</c> as soon as the failure is known;
/// its job then brings the previous release back and verifies it, durably, step by step.
/// </summary>
public static class RestoreStates
{
    public const string Pending = "pending";
    public const string Verifying = "verifying";
    public const string Done = "done";
    public const string Failed = "failed";

    public static bool InProgress(string? state) => state is Pending or Verifying;
}
